"""`kefu run`: build the python-telegram-bot Application and run it (polling or webhook)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import warnings
from collections.abc import Callable

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.warnings import PTBUserWarning

from bot import door, logmask
from bot.config import Config, load_config
from bot.kefu import bootstrap
from handlers import telegram_staff, telegram_user
from handlers.telegram_http import make_request
from handlers.telegram_limits import rate_limiter
from handlers.telegram_outbox import Sender
from handlers.telegram_polling import run_polling
from handlers.telegram_runtime import KefuContext, Runtime, install
from handlers.telegram_webhook import run_webhook

logger = logging.getLogger(__name__)
TOKEN_ENV = "KEFU_TELEGRAM_TOKEN"
USER_MENU = [BotCommand("start", "开始"), BotCommand("status", "查看我的工单进度"),
             BotCommand("human", "转人工"), BotCommand("cancel", "取消当前操作"),
             BotCommand("help", "帮助")]
STAFF_MENU = [BotCommand("queue", "待处理队列"), BotCommand("duty", "上岗/下岗 on|off"),
              BotCommand("note", "内部备注"), BotCommand("claim", "认领本工单"),
              BotCommand("stage", "阶段 核实|处理|反馈"),
              BotCommand("approve", "批准本工单的小额退款"), BotCommand("resolve", "解决"),
              BotCommand("escalate", "升级"), BotCommand("notice", "通道维护通知 渠道 分钟 说明"),
              BotCommand("notice_end", "通道恢复 渠道"),
              BotCommand("block", "屏蔽买家 用户ID或工单号 原因"),
              BotCommand("unblock", "解除屏蔽 用户ID或工单号"),
              BotCommand("kefu_help", "客服命令说明")]


# Telegram answers in well under a second. A send that gets no answer within READ_TIMEOUT is
# sent again, and may then arrive twice: the Bot API has no idempotency key, and kefu would
# rather repeat a message than lose it (README, "Faults we test").
CONNECT_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT, POOL_TIMEOUT = 5.0, 10.0, 10.0, 5.0
REFUND_TRACK_SECONDS = 300  # how often refund tickets are checked against the order system
SEND_TEXT_WARNING = r"Please use 'Bot\.send_message' instead of 'Bot\.do_api_request"
POLL_SECONDS = 10  # getUpdates long-poll; its read timeout is this plus READ_TIMEOUT


class MissingToken(RuntimeError):
    """KEFU_TELEGRAM_TOKEN is not set."""


def build_application(cfg: Config, token: str, base_url: str | None = None) -> Application:
    """The Application with kefu's handlers, rate limiter and lifecycle hooks."""
    # Buyers' texts go out with do_api_request on purpose (telegram_buyer_chats.send_text).
    warnings.filterwarnings("ignore", message=SEND_TEXT_WARNING, category=PTBUserWarning)
    http = cfg.telegram.http
    builder = (ApplicationBuilder().token(token)
               .context_types(ContextTypes(context=KefuContext))
               .rate_limiter(rate_limiter(cfg.telegram))
               .request(make_request(http, 256, READ_TIMEOUT, WRITE_TIMEOUT, CONNECT_TIMEOUT,
                                     POOL_TIMEOUT))
               .get_updates_request(make_request(http, 1, READ_TIMEOUT, WRITE_TIMEOUT,
                                                 CONNECT_TIMEOUT, POOL_TIMEOUT))
               .post_init(_start).post_shutdown(_stop))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
    app = builder.build()
    install(app, Runtime(bootstrap(cfg), cfg.staff_chat))
    telegram_staff.register(app, cfg.staff_chat)  # staff buttons first: they are checked
    telegram_user.register(app)
    app.add_error_handler(_on_error)
    return app


async def _start(app: Application) -> None:
    """Menus, forum detection and the outbox sender, once the bot is connected."""
    runtime: Runtime = app.bot_data["runtime"]
    runtime.bot = app.bot  # for what must reach buyers when the database cannot
    await _quiet(app.bot.set_my_commands(USER_MENU, scope=BotCommandScopeAllPrivateChats()))
    if runtime.staff_chat is not None:
        await _quiet(app.bot.set_my_commands(STAFF_MENU,
                                             scope=BotCommandScopeChat(runtime.staff_chat)))
        runtime.forum = await _is_forum(app, runtime.staff_chat)
    else:
        logger.warning("no staff chat configured (KEFU_STAFF_CHAT): tickets wait in the database")
    app.bot_data["sender"] = asyncio.create_task(Sender(runtime, app.bot).run(), name="outbox")
    runtime.wake.set()  # deliver whatever a previous run left undelivered
    await runtime.sweep()  # and handle what it received but never handled
    # Timers live in the database; the job only looks, so a restart loses none.
    app.job_queue.run_repeating(_check_sla, interval=runtime.kefu.config.sla.check_seconds,
                                first=1, name="sla")
    if runtime.kefu.config.orders.backend != "none":
        app.job_queue.run_repeating(_track_refunds, interval=REFUND_TRACK_SECONDS, first=60,
                                    name="refunds")


async def _track_refunds(context: KefuContext) -> None:
    """Close refund tickets the shop's order system now shows as refunded."""
    runtime = context.runtime
    # Through the front door like every arrival: the lookups are made off the DB thread,
    # and every few minutes is soon enough for a refund that takes up to an hour.
    await runtime.enter(door.TrackRefunds())


async def _check_sla(context: KefuContext) -> None:
    """Fire due SLA warnings, escalations and renewed promises; wake the sender."""
    runtime = context.runtime
    try:
        await runtime.enter(door.Tick())
    finally:  # even when the timers could not be checked (the database is locked, say)
        await runtime.sweep()  # events left by a turn that failed


async def _stop(app: Application) -> None:
    task = app.bot_data.get("sender")
    if task:
        task.cancel()
    runtime: Runtime = app.bot_data["runtime"]
    await runtime.settle()  # what arrived last is stored before the database thread ends
    runtime.executor.shutdown(wait=True)
    runtime.callers.shutdown(wait=False, cancel_futures=True)


async def _is_forum(app: Application, chat_id: int) -> bool:
    try:
        return bool((await app.bot.get_chat(chat_id)).is_forum)
    except TelegramError as exc:
        logger.warning("cannot read staff chat %s: %s; using reply threads", chat_id, exc)
        return False


async def _quiet(awaitable: object) -> None:
    try:
        await awaitable  # type: ignore[misc]
    except TelegramError as exc:
        logger.warning("setup call failed: %s", exc)


async def _on_error(update: object, context: KefuContext) -> None:
    logger.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)


def token_from_env(env: dict[str, str] | os._Environ[str]) -> str:
    """The bot token; only ever from the environment."""
    token = env.get(TOKEN_ENV, "").strip()
    if not token:
        raise MissingToken(f"set {TOKEN_ENV} to the bot token from @BotFather")
    return token


def cmd_run(args: argparse.Namespace) -> int:
    """Run kefu on Telegram (polling, or a webhook with --webhook)."""
    cfg = load_config(args.config, db=args.db)
    try:
        token = token_from_env(os.environ)
    except MissingToken as exc:
        print(exc)
        return 2
    logmask.install(token, cfg.order_pattern)  # httpx and PTB log URLs that carry the token
    app = build_application(cfg, token, args.base_url)
    try:
        # Either way an update is confirmed to Telegram only once it is stored.
        settle = app.bot_data["runtime"].settle
        if args.webhook:  # served at the URL's own path (a proxy passes it through)
            run_webhook(app, settle, args.webhook, args.listen, args.port)
        else:
            run_polling(app, POLL_SECONDS, settle)
    except InvalidToken:  # PTB's message quotes the token: say it without it
        logger.error("Telegram rejected the bot token in %s; check it with @BotFather", TOKEN_ENV)
        return 2
    except Exception:  # logged, not printed by Python: the log filter masks the token
        logger.exception("kefu stopped")
        return 1
    return 0


def add_run_command(sub: argparse._SubParsersAction,
                    add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `kefu run` on the CLI."""
    p = add(sub, "run", cmd_run, "KEFU_TELEGRAM_TOKEN=123:abc KEFU_STAFF_CHAT=-100123 kefu run",
            [])
    p.add_argument("--db", help="database file (else $KEFU_DB)")
    p.add_argument("--base-url", help="Bot API server in PTB's form, e.g. http://127.0.0.1:8081/bot")
    p.add_argument("--webhook", metavar="URL", help="public HTTPS URL; polling when absent")
    p.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    p.add_argument("--port", type=int, default=8443, help="webhook port")
