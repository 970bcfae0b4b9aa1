"""Telegram staff side: the staff group's topics, commands and card buttons → AgentAct."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import STAFF, agent_act, decode, for_staff
from bot.events import AgentAct
from bot.staff import GLOBAL_ACTIONS
from handlers.telegram_runtime import KefuContext, Runtime
from handlers.telegram_texts import split_text

logger = logging.getLogger(__name__)
STAFF_COMMANDS = ("note", "claim", "show", "stage", "approve", "resolve", "escalate",
                  "kefu_help", *sorted(GLOBAL_ACTIONS))
ACTIONS = {"approve": "approve_refund"}  # a command whose action has another name
NOTED_WITHIN = (0.0, 0.2, 0.5, 1.0)  # seconds between looks for a just-sent message's ticket
STAFF_HELP = ("在工单话题里直接发文字 = 回复买家 · /note 内容 = 内部备注 · /claim · "
              "/stage 核实|处理|反馈 · /approve = 批准退款 · /resolve · /escalate · "
              "总话题: /queue 队列, /duty on|off 上下岗, "
              "/notice 渠道 分钟 说明 = 通道维护通知, /notice_end 渠道 = 恢复 · "
              "/block [用户ID或工单号] 原因 = 屏蔽刷屏买家, /unblock = 解除")


async def _ticket_of(runtime: Runtime, message: Message) -> int | None:
    """The ticket a staff message is about: its forum topic, or the card it replies to."""
    store = runtime.kefu.store
    if message.is_topic_message and message.message_thread_id:
        found = await runtime.call(store.staff_threads.ticket_in, message.chat_id,
                                   message.message_thread_id, urgent=True)
        if found:
            return found
    replied = message.reply_to_message
    if replied is None:
        return None
    # The sender notes which ticket a message was about a moment after Telegram confirms
    # it: an agent quick enough to reply before that is waited for, briefly, not refused.
    ours = bool(replied.from_user and replied.from_user.is_bot)
    for pause in NOTED_WITHIN if ours else (0.0,):
        await asyncio.sleep(pause)
        found = await runtime.call(store.staff_threads.ticket_of_message, message.chat_id,
                                   replied.message_id, urgent=True)
        if found:
            return found
    return None


async def _staff_or_refuse(update: Update, context: KefuContext) -> bool:
    user = update.effective_user
    if user and await context.runtime.is_staff(context.bot, user.id, user.first_name):
        return True
    if update.callback_query:
        await update.callback_query.answer("无权限: 仅限客服成员操作。", show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text("无权限: 仅限客服成员使用。")
    return False


async def on_staff_text(update: Update, context: KefuContext) -> None:
    """Text in a ticket's topic (or a reply to its card) goes to the buyer."""
    await _relay(update, context, update.effective_message.text or "")


async def on_staff_media(update: Update, context: KefuContext) -> None:
    """A photo or file in a ticket's topic (or a reply to its card) goes to the buyer."""
    message = update.effective_message
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id  # the largest size
    else:
        kind, file_id = "document", message.document.file_id
    await _relay(update, context, message.caption or "", kind, file_id)


async def _relay(update: Update, context: KefuContext, text: str, kind: str = "text",
                 file_id: str | None = None) -> None:
    message = update.effective_message
    ticket_id = await _ticket_of(context.runtime, message)
    if ticket_id is None or not await _staff_or_refuse(update, context):
        return  # ordinary staff chatter in the general topic
    result = await context.runtime.agent(
        AgentAct(update.effective_user.id, "reply", ticket_id, text,
                 event_id=f"tg:{update.update_id}", kind=kind, file_id=file_id))
    if not result.ok:
        await _answer(message, result.note)


async def _answer(message: Message, text: str) -> None:
    """Tell the agent, in as many messages as Telegram needs (a long /show or /queue)."""
    for piece in split_text(text):
        await message.reply_text(piece)


async def on_staff_command(update: Update, context: KefuContext) -> None:
    """/queue, /duty, /note, /claim, /show, /stage, /resolve, /escalate in the staff chat."""
    if not await _staff_or_refuse(update, context):
        return
    message = update.effective_message
    word, _, args = (message.text or "").partition(" ")
    command = word[1:].split("@", 1)[0].lower()
    if command == "kefu_help":
        await message.reply_text(STAFF_HELP)
        return
    ticket_id = await _ticket_of(context.runtime, message)
    if command not in GLOBAL_ACTIONS and ticket_id is None:
        await message.reply_text("请在工单话题里 (或回复工单卡片) 使用这个命令。")
        return
    result = await context.runtime.agent(
        AgentAct(update.effective_user.id, ACTIONS.get(command, command), ticket_id, args.strip(),
                 event_id=f"tg:{update.update_id}"))
    # A command that worked shows on the card (claim, stage, resolve...) or is the agent's
    # own message (/note): no echo in the group, whose messages are counted.
    if command in GLOBAL_ACTIONS or command == "show" or not result.ok:
        await _answer(message, result.note)


async def on_staff_button(update: Update, context: KefuContext) -> None:
    """认领 / 核实中 / 处理中 / 已解决 / 升级 / 批准退款 on a ticket card."""
    query = update.callback_query
    if not await _staff_or_refuse(update, context):
        return
    cb = decode(query.data)
    if not isinstance(cb, STAFF):
        await query.answer("无效操作。", show_alert=True)
        return
    result = await context.runtime.agent(
        agent_act(cb, update.effective_user.id, event_id=f"tg:{update.update_id}"))
    await query.answer(result.note[:190], show_alert=not result.ok)


def register(app: Application, staff_chat: int | None) -> None:
    """Add the staff-side handlers; staff buttons are checked wherever they are pressed."""
    app.add_handler(CallbackQueryHandler(on_staff_button, pattern=for_staff))
    if staff_chat is None:
        return
    chat = filters.Chat(staff_chat)
    app.add_handler(CommandHandler(list(STAFF_COMMANDS), on_staff_command, filters=chat))
    app.add_handler(MessageHandler(chat & filters.TEXT & ~filters.COMMAND, on_staff_text))
    app.add_handler(MessageHandler(chat & (filters.PHOTO | filters.Document.ALL), on_staff_media))
