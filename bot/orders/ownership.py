"""Whose order is it: the Telegram id the shop recorded, or what the buyer proves.

kefu's own table and mapped APIs record a Telegram id: that is the proof. The ready-made
发卡 systems (dujiaoka, acg-faka, Dujiao-Next) know buyers only by the contact or email
typed at checkout and an optional lookup password (查询密码). There kefu asks for one of
them before it says anything about the order, compares without case or spaces, never
repeats what was typed, and after MAX_TRIES misses hands over to a person. A proven
(user, order) pair is remembered (store.order_proofs): the buyer is asked once.

An order the shop does not know is asked about the same way, so the reply never tells a
stranger whether an order number exists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

from bot import replies
from bot.kefu import Kefu
from bot.orders import Order, OrderBackend, Proof
from bot.orders.ticketing import Checked
from bot.outbox import to_buyer
from bot.records import Conversation
from intents.faq import Intent

MAX_TRIES = 3
STEP = "prove"  # the conversation step while kefu waits for the proof
HIDDEN = "[核实信息, 已隐藏]"  # what the transcript keeps of a message sent in that step

ASK = ("请先核实 🔒 为了保护你的订单, 我需要确认这是你本人下的单: 请发一下下单时填写的"
       "联系方式或邮箱, 或者订单的查询密码。只用于核对, 不会显示给任何人。")
MISS = ("没有对上 🙏 请核对一下下单时填写的联系方式/邮箱或查询密码, 也看看订单号是否正确 "
        "(还可以再试 {left} 次)。")
ASK_BOTH = ("请先核实 🔒 这家店的订单要用下单邮箱和订单查询密码才能查询: 请把两样一起发给我, "
            "用空格隔开 (例如 abc@qq.com 123456)。只用于这次查询, 不会显示或保存。")
MISS_BOTH = ("没有查到 🙏 请核对下单邮箱和订单查询密码 (两样一起发, 用空格隔开), 也看看订单号"
             "是否正确 (还可以再试 {left} 次)。")
PROVEN = "核实通过 ✅"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_WORDS = re.compile(r"邮箱|邮件|密码|查询密码|订单密码|是|为|和|[:：,，;；]")
GIVE_UP = "几次都没能核实, 为了订单安全我先不查看订单详情, 已转给人工客服帮你确认。"


def needs_proof(k: Kefu, backend: OrderBackend, user_id: int, order_no: str) -> bool:
    """Whether the buyer must prove the order theirs before kefu says anything about it."""
    return (k.config.orders.check_owner and not backend.records_telegram
            and not k.store.order_proofs.proven(user_id, order_no))


def proven(k: Kefu, user_id: int, order_no: str) -> bool:
    """Whether this user proved this order theirs before."""
    return k.store.order_proofs.proven(user_id, order_no)


def matches(text: str, order: Order) -> str | None:
    """How the typed text proves the order ("password" or "contact"), or None."""
    known = {"password": _norm(order.lookup_password), "contact": _norm(order.buyer)}
    said = {_norm(text), *(_norm(t) for t in re.findall(r"[\w.@+\-]+", text[:500]))}
    said.discard("")
    return next((how for how, value in known.items() if value and value in said), None)


def _norm(text: str) -> str:
    """Full-width to half-width, no case, no spaces: "ABC@QQ.com " = "abc@qq.com"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def ask(conv: Conversation, intent: Intent, order_no: str, found: bool,
        needs: tuple[str, ...] = ()) -> Checked:
    """Ask for the proof; nothing about the order is said until it matches. `needs`: what a
    shop that answers only with a proof wants (Dujiao-Next: the email and the password)."""
    details = {key: v for key, v in conv.details.items() if key != "asking"}
    details["proving"] = {"order_no": order_no, "tries": 0, "found": found,
                          "needs": list(needs)}
    asked = replace(conv, step=STEP, intent=intent.id, details=details)
    text = ASK_BOTH if set(needs) >= {"contact", "password"} else ASK
    return Checked(asked, [to_buyer(conv.user_id, text, replies.HUMAN, replies.CANCEL)], True)


def proof_in(text: str) -> Proof:
    """The email (or contact) and the password in one message ("abc@qq.com 123456")."""
    text = unicodedata.normalize("NFKC", text[:500])
    email = _EMAIL.search(text)
    contact = email.group(0) if email else ""
    rest = _WORDS.sub(" ", text.replace(contact, " ", 1) if contact else text)
    tokens = [t for t in rest.split() if t]
    if not contact and len(tokens) >= 2:  # a phone or QQ first, the password after it
        contact, tokens = tokens[0], tokens[1:]
    return Proof(contact=contact, password=tokens[0] if tokens else "")


def missed(conv: Conversation) -> tuple[Conversation, int]:
    """The conversation after one more miss, and how many tries are left."""
    proving = dict(conv.details["proving"])
    proving["tries"] = int(proving.get("tries", 0)) + 1
    return replace(conv, details={**conv.details, "proving": proving}), \
        MAX_TRIES - proving["tries"]


def unproven_note(order: Order | None, order_no: str, tries: int, by_shop: bool = False
                  ) -> str:
    """The agent's note after the buyer could not prove the order theirs."""
    why = ("商城按买家给的邮箱和查询密码查不到该订单" if by_shop else
           "订单系统查不到该单号" if order is None else "联系方式/邮箱/查询密码均不符")
    return (f"⚠️ 买家 {tries} 次未能核实订单 {order_no} 的归属 ({why}); "
            "未向买家透露订单详情, 请人工确认身份")


def remember(k: Kefu, user_id: int, order_no: str, how: str, now: datetime) -> None:
    """Keep the fact that this user proved this order (never what they typed)."""
    k.store.order_proofs.add(user_id, order_no, how, now)
