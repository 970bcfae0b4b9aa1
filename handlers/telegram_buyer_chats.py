"""Send one outbox message into a buyer's private chat: text with buttons, or a file."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.outbox import CAPTION_LIMIT, utf16_units
from bot.records import Choice, Outgoing
from handlers.telegram_texts import split_text


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """One button a row for buyers' choices (long Chinese labels need the width)."""
    if not choices:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.data)]
                                 for c in choices])


async def to_buyer(bot: ExtBot, out: Outgoing) -> None:
    """Text (split if Telegram would refuse its length), or an agent's photo or file."""
    text, markup = out.text, keyboard(out.choices)
    if out.file_id and out.kind in ("photo", "document"):
        fits = utf16_units(text) <= CAPTION_LIMIT
        send = bot.send_photo if out.kind == "photo" else bot.send_document
        await send(out.user_id, out.file_id, caption=text if fits else None,
                   reply_markup=markup if fits else None)
        if fits:
            return
    pieces = split_text(text)
    for n, piece in enumerate(pieces, 1):
        last = n == len(pieces)
        await send_text(bot, out.user_id, piece, markup if last else None)


async def send_text(bot: ExtBot, chat_id: int | None, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """sendMessage without reading Telegram's answer into a Message (only success matters
    here): that parsing was a tenth of kefu's CPU per reply. PTB warns that send_message
    exists; build_application silences exactly that warning."""
    params: dict[str, object] = {"chat_id": chat_id, "text": text}
    if markup is not None:
        params["reply_markup"] = markup
    await bot.do_api_request("send_message", api_kwargs=params)
