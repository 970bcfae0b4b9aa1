"""The patched Bot API emulator talks to a real python-telegram-bot 22 Application."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.e2e.kefu_process import free_port
from tests.e2e.peer import BotApiPeer

BUYER = 1001
STAFF_GROUP = -1001234567890
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SCREENSHOT = bytes(range(256)) * 1200  # 300 kB: more than express's default body limit


def build_app(peer: BotApiPeer) -> Application:
    """A PTB Application pointed at the loopback peer."""
    return (
        Application.builder()
        .token(peer.token)
        .base_url(peer.base_url)
        .base_file_url(peer.base_file_url)
        .build()
    )


@asynccontextmanager
async def polling(app: Application, timeout: int = 1) -> AsyncIterator[Application]:
    """Run the application's long-polling loop for the duration of the block."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back into the same chat (and topic)."""
    await update.message.reply_text(f"echo: {update.message.text}")


def test_echo_answers_a_private_message(bot_api: BotApiPeer) -> None:
    """A private message reaches the bot and the reply reaches the user's chat."""

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with polling(app):
            sent = bot_api.send_text(BUYER, BUYER, "卡密没收到", first_name="小王")
            reply = await bot_api.wait_for_bot_message_async(
                BUYER,
                lambda m: m["text"] == "echo: 卡密没收到",
                after_message_id=sent["message_id"],
            )
        assert reply["chat"] == {"id": BUYER, "type": "private", "first_name": "小王"}
        assert abs(reply["date"] - time.time()) < 60  # seconds, not milliseconds
        assert reply["from"]["id"] == bot_api.bot_id

    asyncio.run(scenario())


def test_button_press_is_answered_and_message_edited(bot_api: BotApiPeer) -> None:
    """callback_query reaches a CallbackQueryHandler; answer() and edit_message_text work."""
    seen: dict[str, object] = {}

    async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = [[InlineKeyboardButton("已收到", callback_data="got:1")]]
        await update.message.reply_text("订单 1", reply_markup=InlineKeyboardMarkup(keyboard))

    async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        seen["chat_instance"] = query.chat_instance
        await query.answer("好的")
        edited = await query.edit_message_text(f"订单 1: {query.data}")
        seen["edited"] = edited

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(pressed))
        async with polling(app):
            bot_api.send_text(BUYER, BUYER, "/start")
            menu = await bot_api.wait_for_bot_message_async(BUYER, lambda m: "reply_markup" in m)
            query_id = bot_api.press_button(BUYER, BUYER, menu["message_id"], "got:1")
            await bot_api.wait_for_bot_message_async(BUYER, lambda m: m["text"] == "订单 1: got:1")
        assert bot_api.callback_answers()[query_id]["text"] == "好的"
        assert seen["chat_instance"]
        assert seen["edited"].message_id == menu["message_id"]
        [final] = bot_api.bot_messages(BUYER)
        assert "reply_markup" not in final  # editing text without markup drops the keyboard

    asyncio.run(scenario())


def test_pressing_a_missing_button_is_refused(bot_api: BotApiPeer) -> None:
    """The users' side cannot press a button the message does not have."""

    async def scenario() -> None:
        app = build_app(bot_api)
        await app.initialize()
        message = await app.bot.send_message(BUYER, "no buttons")
        await app.shutdown()
        with pytest.raises(RuntimeError, match="no button"):
            bot_api.press_button(BUYER, BUYER, message.message_id, "x")

    asyncio.run(scenario())


def test_photos_in_both_directions(bot_api: BotApiPeer) -> None:
    """send_photo uploads; getFile downloads; a buyer's screenshot reaches the bot."""
    received: list[bytes] = []

    async def on_photo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        photo_file = await update.message.photo[-1].get_file()
        received.append(bytes(await photo_file.download_as_bytearray()))
        await update.message.reply_text(f"收到截图 {update.message.caption}")

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.PHOTO, on_photo))
        async with polling(app):
            sent = await app.bot.send_photo(BUYER, PNG, caption="二维码")
            remote = await (await app.bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
            assert bytes(remote) == PNG
            bot_api.send_file(BUYER, BUYER, SCREENSHOT, caption="付款")
            await bot_api.wait_for_bot_message_async(
                BUYER, lambda m: m.get("text") == "收到截图 付款"
            )
        assert received == [SCREENSHOT]
        assert bot_api.bot_messages(BUYER)[0]["caption"] == "二维码"

    asyncio.run(scenario())


def test_forum_topics_and_threads(bot_api: BotApiPeer) -> None:
    """create_forum_topic gives increasing ids; messages keep message_thread_id both ways."""

    async def scenario() -> None:
        bot_api.set_forum(STAFF_GROUP, title="客服组")
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with polling(app):
            chat = await app.bot.get_chat(STAFF_GROUP)
            assert chat.is_forum and chat.type == "supergroup"
            first = await app.bot.create_forum_topic(STAFF_GROUP, "买家 1001")
            second = await app.bot.create_forum_topic(STAFF_GROUP, "买家 1002")
            assert second.message_thread_id > first.message_thread_id
            thread = first.message_thread_id
            posted = await app.bot.send_message(STAFF_GROUP, "新工单", message_thread_id=thread)
            assert posted.message_thread_id == thread and posted.is_topic_message
            assert await app.bot.close_forum_topic(STAFF_GROUP, thread)
            assert await app.bot.edit_forum_topic(STAFF_GROUP, thread, name="买家 1001 ✅")
            bot_api.send_text(42, STAFF_GROUP, "我来处理", thread_id=thread)
            reply = await bot_api.wait_for_bot_message_async(
                STAFF_GROUP, lambda m: m["text"] == "echo: 我来处理"
            )
            assert reply["message_thread_id"] == thread
            assert await app.bot.delete_forum_topic(STAFF_GROUP, second.message_thread_id)
            gone = second.message_thread_id
            with pytest.raises(BadRequest, match="thread not found"):
                await app.bot.send_message(STAFF_GROUP, "x", message_thread_id=gone)
        assert [m["text"] for m in bot_api.bot_messages(STAFF_GROUP, thread)] == [
            "新工单",
            "echo: 我来处理",
        ]
        assert bot_api.topics(STAFF_GROUP)[0]["is_closed"]

    asyncio.run(scenario())


def test_chat_members_and_plain_groups(bot_api: BotApiPeer) -> None:
    """getChatMember answers per chat; unknown users have left; topics need a forum."""

    async def scenario() -> None:
        app = build_app(bot_api)
        await app.initialize()
        statuses = ["creator", "administrator", "member", "restricted", "kicked"]
        for user_id, status in enumerate(statuses, start=1):
            bot_api.set_member(STAFF_GROUP, user_id, status)
            member = await app.bot.get_chat_member(STAFF_GROUP, user_id)
            assert member.status == status
        assert (await app.bot.get_chat_member(STAFF_GROUP, 999)).status == "left"
        itself = await app.bot.get_chat_member(STAFF_GROUP, bot_api.bot_id)
        assert itself.status == "administrator"
        with pytest.raises(BadRequest, match="not a forum"):
            await app.bot.create_forum_topic(-100777, "x")
        await app.bot.send_chat_action(BUYER, "typing")
        await app.shutdown()
        assert len(bot_api.calls("sendChatAction")) == 1

    asyncio.run(scenario())


def test_set_my_commands(bot_api: BotApiPeer) -> None:
    """set_my_commands is stored and read back by get_my_commands."""

    async def scenario() -> None:
        app = build_app(bot_api)
        await app.initialize()
        assert await app.bot.set_my_commands([("start", "开始"), ("help", "帮助")])
        commands = await app.bot.get_my_commands()
        await app.shutdown()
        assert [(c.command, c.description) for c in commands] == [
            ("start", "开始"),
            ("help", "帮助"),
        ]
        assert bot_api.my_commands()[0]["commands"][1]["command"] == "help"

    asyncio.run(scenario())


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_injected_faults_surface_as_ptb_errors(bot_api: BotApiPeer) -> None:
    """429 becomes RetryAfter, 502 NetworkError, then the method works again."""

    async def scenario() -> None:
        app = build_app(bot_api)
        await app.initialize()
        bot_api.inject_fault("sendMessage", status=429, retry_after=7)
        with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
            await app.bot.send_message(BUYER, "hi")
        bot_api.inject_fault("sendMessage", status=502, chat_id=BUYER)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(BUYER, "hi")
        assert (await app.bot.send_message(BUYER, "hi")).text == "hi"
        with pytest.raises(EndPointNotFound):
            await app.bot.do_api_request("sendTelepathy")
        await app.shutdown()

    asyncio.run(scenario())


def test_message_validation_matches_telegram(bot_api: BotApiPeer) -> None:
    """Too-long texts, unchanged edits and oversized callback data are Bad Requests."""

    async def scenario() -> None:
        app = build_app(bot_api)
        await app.initialize()
        with pytest.raises(BadRequest, match="too long"):
            await app.bot.send_message(BUYER, "长" * 4097)
        sent = await app.bot.send_message(BUYER, "same")
        with pytest.raises(BadRequest, match="not modified"):
            await app.bot.edit_message_text("same", BUYER, sent.message_id)
        too_big = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await app.bot.send_message(BUYER, "buttons", reply_markup=too_big)
        await app.shutdown()

    asyncio.run(scenario())


def test_long_polling_idles_and_wakes_up(bot_api: BotApiPeer) -> None:
    """An idle bot makes ~1 getUpdates per timeout, and a new message is delivered at once."""

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with polling(app, timeout=1):
            await asyncio.sleep(0.3)
            before = bot_api.call_counts().get("getUpdates", 0)
            await asyncio.sleep(2.0)
            idle_polls = bot_api.call_counts()["getUpdates"] - before
            started = time.monotonic()
            bot_api.send_text(BUYER, BUYER, "ping")
            await bot_api.wait_for_bot_message_async(BUYER, lambda m: m["text"] == "echo: ping")
            latency = time.monotonic() - started
        assert idle_polls <= 4, f"{idle_polls} getUpdates in 2 idle seconds: busy loop"
        assert latency < 0.5, f"reply took {latency:.3f}s: long poll not woken"

    asyncio.run(scenario())


def test_replies_in_a_group_without_topics_nest_the_replied_message(bot_api: BotApiPeer) -> None:
    """A reply carries reply_to_message and, as in Telegram, the chain's root as its thread."""
    seen: list[object] = []

    async def record(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.message)
        await update.message.reply_text("收到", do_quote=True)

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.TEXT, record))
        async with polling(app):
            card = await app.bot.send_message(STAFF_GROUP, "工单卡片")
            bot_api.send_text(42, STAFF_GROUP, "我来", reply_to=card.message_id)
            answer = await bot_api.wait_for_bot_message_async(
                STAFF_GROUP, lambda m: m["text"] == "收到"
            )
        [message] = seen
        assert message.reply_to_message.message_id == card.message_id
        assert message.reply_to_message.text == "工单卡片"
        assert message.message_thread_id == card.message_id and not message.is_topic_message
        assert answer["reply_to_message"]["text"] == "我来"
        with pytest.raises(RuntimeError, match="to reply to"):
            bot_api.send_text(42, STAFF_GROUP, "x", reply_to=card.message_id + 1000)

    asyncio.run(scenario())


def test_a_member_deleting_a_topic_takes_its_messages(bot_api: BotApiPeer) -> None:
    """After deleteTopic the thread is gone: its messages too, and sending there fails."""

    async def scenario() -> None:
        bot_api.set_forum(STAFF_GROUP)
        app = build_app(bot_api)
        await app.initialize()
        topic = await app.bot.create_forum_topic(STAFF_GROUP, "#T1001")
        thread = topic.message_thread_id
        await app.bot.send_message(STAFF_GROUP, "卡片", message_thread_id=thread)
        bot_api.delete_topic(STAFF_GROUP, thread)
        with pytest.raises(BadRequest, match="thread not found"):
            await app.bot.send_message(STAFF_GROUP, "买家补充", message_thread_id=thread)
        await app.shutdown()
        assert bot_api.bot_messages(STAFF_GROUP) == [] and bot_api.topics(STAFF_GROUP) == []

    asyncio.run(scenario())


def test_webhook_posts_updates_in_order_with_the_secret(bot_api: BotApiPeer) -> None:
    """setWebhook: updates are POSTed to PTB's webhook server, which checks the secret."""

    async def scenario() -> None:
        app = build_app(bot_api)
        app.add_handler(MessageHandler(filters.TEXT, echo))
        port = free_port()
        await app.initialize()
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, webhook_url=f"http://127.0.0.1:{port}/",
            secret_token="s3cret-token",
        )
        try:
            for n in range(5):
                bot_api.send_text(BUYER, BUYER, f"第{n}条")
            await bot_api.wait_for_bot_message_async(BUYER, lambda m: m["text"] == "echo: 第4条")
            with pytest.raises(Conflict):
                await app.bot.get_updates()
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        hook = bot_api.webhook()
        assert hook["url"] == f"http://127.0.0.1:{port}/"
        assert [d["status"] for d in hook["deliveries"]] == [200] * 5
        texts = [m["text"] for m in bot_api.bot_messages(BUYER)]
        assert texts == [f"echo: 第{n}条" for n in range(5)]

    asyncio.run(scenario())
