"""Telegram buyer side: private-chat updates in, core events out. Replies leave via the outbox."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import for_staff
from bot.events import ButtonPressed, BuyerCommand, BuyerSaid
from handlers.telegram_runtime import KefuContext

logger = logging.getLogger(__name__)
# Kinds kefu cannot read, in the order they are checked on a message.
UNREADABLE = ("sticker", "voice", "video_note", "video", "animation", "audio", "location",
              "venue", "contact", "poll", "dice", "game")


def _id(update: Update) -> str:
    """The update id as the core's event id: Telegram may deliver an update twice."""
    return f"tg:{update.update_id}"


async def on_text(update: Update, context: KefuContext) -> None:
    """Pass a buyer's text to the core."""
    user, message = update.effective_user, update.effective_message
    text = message.text or ""
    # Forwards come several at once: gather them into one turn.
    await context.runtime.buyer(BuyerSaid(user.id, text, user.full_name, event_id=_id(update)),
                                gather=message.forward_origin is not None)


async def on_command(update: Update, context: KefuContext) -> None:
    """Pass /start, /help, /status, /cancel, /human (or an unknown command) to the core."""
    user, message = update.effective_user, update.effective_message
    word, _, args = (message.text or "/").partition(" ")
    name = word[1:].split("@", 1)[0].lower() or "help"
    event = BuyerCommand(user.id, name, args.strip(), user.full_name, _id(update))
    await context.runtime.buyer(event)


async def on_media(update: Update, context: KefuContext) -> None:
    """A screenshot or file: evidence for the ticket."""
    user, message = update.effective_user, update.effective_message
    kind, file_id = _attachment(message)
    await context.runtime.buyer(
        BuyerSaid(user.id, message.caption or "", user.full_name, kind, file_id, _id(update)),
        gather=message.media_group_id is not None or message.forward_origin is not None)


def _attachment(message: Message) -> tuple[str, str | None]:
    if message.photo:
        return "photo", message.photo[-1].file_id  # the largest size
    if message.document:
        return "document", message.document.file_id
    return "other", None


async def on_unreadable(update: Update, context: KefuContext) -> None:
    """Stickers, voice, video, locations...: the core answers politely."""
    user, message = update.effective_user, update.effective_message
    kind = next((k for k in UNREADABLE if getattr(message, k, None)), "other")
    await context.runtime.buyer(BuyerSaid(user.id, "", user.full_name, kind, event_id=_id(update)))


async def on_button(update: Update, context: KefuContext) -> None:
    """A buyer pressed a choice: acknowledge, clear the keyboard, hand it to the core."""
    query, user = update.callback_query, update.effective_user
    if update.effective_chat is not None and update.effective_chat.type != "private":
        return  # buyer buttons only live in private chats
    await _quietly(query.answer())
    if query.message is not None:
        await _quietly(query.edit_message_reply_markup(None))
    await context.runtime.buyer(ButtonPressed(user.id, query.data or "", user.full_name,
                                                      _id(update)))


async def _quietly(awaitable: object) -> None:
    """Cosmetic calls (answering a query, clearing buttons) must not stop the real work."""
    try:
        await awaitable  # type: ignore[misc]
    except TelegramError as exc:
        logger.info("cosmetic call failed: %s", exc)


def register(app: Application) -> None:
    """Add the buyer-side handlers (private chats only)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(private & (filters.PHOTO | filters.Document.ALL), on_media))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.PHOTO
                                   & ~filters.Document.ALL, on_unreadable))
    # Staff button data is handled (and refused to non-staff) by the staff side.
    app.add_handler(CallbackQueryHandler(on_button, pattern=lambda d: isinstance(d, str) and
                                         not for_staff(d)))
