"""Intake steps shared by typed messages and buttons: route, ask, open."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot import intake, notices, replies, several, tickets, urgency
from bot import matter_replies as mr
from bot.callbacks import Human, Pick, Withdraw, choice, decode
from bot.intent_kinds import ABOUT_TICKET, informational
from bot.kefu import Kefu
from bot.orders import Order, lookup
from bot.orders.ticketing import settle_ticket
from bot.records import Conversation, Turn
from bot.tickets import to_buyer
from bot.tiering import LARGE, large_instead
from intents.decide import NONE
from intents.extract import extract, looks_like_order_attempt, parse_demand_answer
from intents.faq import Intent
from intents.normalize import ORDER_TOKEN
from intents.understand import Understanding

_NO_ORDER = re.compile(r"(没|无|忘|找不到|不知道|不记得|木有|么有).{0,3}(订单|单号)|没有号")
_PER_FIELD = ("order_no", "amount", "demand")
ANOTHER_PROBLEM_CHARS = 12  # shorter answers to "怎么处理?" are read as the answer


def extracted(k: Kefu, text: str) -> dict[str, Any]:
    found = extract(text[:2000], k.config.order_pattern)
    return {f: getattr(found, f) for f in _PER_FIELD if getattr(found, f) is not None}


def route(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn:
    """Answer, ask which one, or fall back; the buyer's message row records which."""
    u, text = _read(k, conv, text)
    # understand() has read the demand with the intent in mind (查下 on a double charge
    # is a check, not a refund); the raw fields come from the same extraction.
    found = {f: getattr(u.details, f) for f in _PER_FIELD if getattr(u.details, f) is not None}
    details = {**_carried(conv), **found, "text": text[:500]}
    decision, intent = u.decision, k.intent(u.decision.intent)
    if conv.step == "clarify" and found and not u.ranking.text.replace(ORDER_TOKEN, "").strip():
        # Only an order number while we asked which problem it is: keep it, ask again (the
        # question stays the text the next message is read with).
        k.store.messages.record_decision(conv.user_id, "clarify", conv.intent)
        conv = replace(conv, details={**details, "text": conv.details.get("text", text)})
        return conv, [to_buyer(conv.user_id, replies.clarify_kept(found), *conv.offered)]
    if decision.kind == "clarify":
        k.store.messages.record_decision(conv.user_id, "clarify", decision.intent)
        choices = [choice(k.intent(i).label, Pick(i)) for i in decision.choices
                   if k.intent(i)]
        conv = Conversation(conv.user_id, "clarify", decision.intent, details)
        return conv, [to_buyer(conv.user_id, replies.CLARIFY, *choices,
                               choice("都不是, 转人工", Human()))]
    if decision.kind == "fallback" or intent is None:
        k.store.messages.record_decision(conv.user_id, "fallback", NONE)
        none = k.intent(NONE)
        answer = none.answer if none and none.answer else replies.WELCOME
        conv = Conversation(conv.user_id, "feedback", NONE, details)
        return conv, [to_buyer(conv.user_id, fill(k, answer), replies.HUMAN)]
    k.store.messages.record_decision(conv.user_id, "answer", intent.id)
    mood = urgency.mood_of(u)  # noted on the ticket; never changes what the problem is
    if mood:
        details["mood"] = mood
    several_at_once = several.plan(u, k.intent, lambda answer: fill(k, answer))
    if several_at_once is None:
        return answer_intent(k, conv, intent, details, now)
    if several_at_once.first is None:  # only questions: all answered in one reply
        return Conversation(conv.user_id), [to_buyer(conv.user_id, several_at_once.head)]
    if several_at_once.rest:
        details["also"] = [i.label for i in several_at_once.rest]  # for the agent's card
    if several_at_once.first.id != intent.id:  # the demand read for another intent: words only
        details.pop("demand", None)
        details.update({f: v for f, v in extracted(k, text).items() if f == "demand"})
    after, outs = answer_intent(k, conv, several_at_once.first, details, now)
    return after, several.dress(several_at_once, after, outs)


def _read(k: Kefu, conv: Conversation, text: str) -> tuple[Understanding, str]:
    """What the text means, read together with the question it answers when that helps."""
    u = k.understand(text)
    if conv.step == "clarify" and u.decision.kind == "clarify" and conv.details.get("text"):
        # "卡米一直没到" got the choices, then "补发": neither says it alone, together they
        # do. Taken only when the two together answer with one of the choices offered (a
        # new topic, which the matcher reads as no intent at all, is left alone).
        together = f"{conv.details['text']} {text}"
        both = k.understand(together)
        if both.decision.kind == "answer" and Pick(both.decision.intent) in {
                decode(c.data) for c in conv.offered}:
            return both, together
    return u, text


def _carried(conv: Conversation) -> dict[str, Any]:
    """What the buyer already told us that a new message need not repeat: screenshots sent
    before the words, and, while we asked which problem it is, the order number and sum."""
    keep = ("evidence", "order_no", "amount") if conv.step == "clarify" else ("evidence",)
    return {f: conv.details[f] for f in keep if conv.details.get(f)}


def fill(k: Kefu, answer: str) -> str:
    """An FAQ answer with the shop's own values ({business_hours}) filled in."""
    return answer.replace("{business_hours}", tickets.hours_text(k))


def answer_intent(k: Kefu, conv: Conversation, intent: Intent, details: dict[str, Any],
                   now: datetime) -> Turn:
    uid = conv.user_id
    live = notices.relevant(k, intent.id, details.get("text", ""))
    if live:  # a known outage answers before any ticket: the buyer learns why and until when
        return notices.answer(k, conv, intent.id, live, details, now)
    if large_instead(intent, details.get("amount"), k.config.big_amount) \
            and not lookup.takes(k, intent):  # a big order stuck: a person, at once (S tier)
        intent = k.intent(LARGE) or intent
    answer = fill(k, intent.answer) if intent.answer else ""
    if lookup.takes(k, intent):  # the shop's order data answers with the order's real state
        return start_intake(k, uid, intent, details, now, lookup.preface(intent, details, answer))
    if intent.action == "ticket":
        return start_intake(k, uid, intent, details, now, answer)
    if intent.action == "answer_then_ticket":
        return start_intake(k, uid, intent, details, now, answer)
    if intent.ticket is None:
        return Conversation(uid), [to_buyer(uid, answer or replies.WELCOME)]
    conv = Conversation(uid, "feedback", intent.id, details)
    return conv, [to_buyer(uid, answer, replies.SOLVED, replies.UNSOLVED)]


def start_intake(k: Kefu, uid: int, intent: Intent, details: dict[str, Any], now: datetime,
                  preface: str = "") -> Turn:
    details = dict(details)
    fixed = intake.fixed_demand(intent)
    if fixed and not details.get("demand"):
        details["demand"] = fixed
    outs = [to_buyer(uid, preface)] if preface else []
    conv, more = advance(k, Conversation(uid, "intake", intent.id, details), intent, now)
    return conv, outs + more


def advance(k: Kefu, conv: Conversation, intent: Intent | None, now: datetime,
            proven: Order | None = None) -> Turn:
    """Ask for the next missing detail, or open the ticket when nothing is missing
    (`proven`: the order a shop answered the buyer's proof with, see lookup.check)."""
    checked = lookup.check(k, conv, intent, now, proven)  # the order settled from shop data
    if checked.final:
        return checked.conv, checked.outs
    turn, outs = _next_step(k, checked.conv, checked.intent or intent, now)
    return turn, lookup.opened(k, checked, turn, outs, now)


def _next_step(k: Kefu, conv: Conversation, intent: Intent | None, now: datetime) -> Turn:
    details = dict(conv.details)
    field = intake.missing(intent, details)
    if field is None and intent is not None:
        details.pop("asking", None)
        ticket, outs = tickets.open_ticket(k, conv.user_id, intent, details, now)
        return Conversation(conv.user_id, ticket_id=ticket.id), outs
    q = intake.question(field or "issue", intent, k.matcher.faq,
                        order_help=bool(details.get("order_help")))
    details["asking"] = q.field
    conv = Conversation(conv.user_id, "intake", intent.id if intent else None, details)
    return conv, [to_buyer(conv.user_id, q.text, *q.choices)]


def intake_answer(k: Kefu, conv: Conversation, text: str, now: datetime) -> Turn:
    """The buyer's answer to the question intake asked; another problem instead of an
    answer gets the matter so far handed over and the new one taken up."""
    intent = k.intent(conv.intent)
    if _another_problem(k, conv, text):
        _, outs = hand_over(k, conv, now, mr.FIRST_KEPT)
        after, more = route(k, Conversation(conv.user_id), text, now)
        return after, [*outs, *more]
    details = dict(conv.details)
    for key, value in extracted(k, text).items():
        details.setdefault(key, value)
    field = details.get("asking")
    if field == "issue":
        intent = _issue_from_text(k, text, details) or intent
    elif field == "order_no" and not details.get("order_no"):
        return _order_answer(k, replace(conv, details=details), intent, text, now)
    elif field == "demand" and not details.get("demand"):
        demand, words = parse_demand_answer(text)
        details["demand"] = demand
        if demand == "其他":
            details["demand_text"] = words[:200]
    return advance(k, replace(conv, details=details), intent, now)


def _another_problem(k: Kefu, conv: Conversation, text: str) -> bool:
    """A sentence about a different problem where kefu asked what the buyer wants done."""
    if conv.details.get("asking") != "demand" or len(text) < ANOTHER_PROBLEM_CHARS:
        return False
    u = k.understand(text)
    other = k.intent(u.decision.intent) if u.decision.kind == "answer" else None
    return (other is not None and other.id != conv.intent and not informational(other)
            and other.id not in ABOUT_TICKET and parse_demand_answer(text)[0] == "其他")


def _issue_from_text(k: Kefu, text: str, details: dict[str, Any]) -> Intent | None:
    """Free text answering "what is the problem?": an intent if clear, else the words."""
    details["issue"] = text[:500]  # the card shows the buyer's own words either way
    u = k.understand(text)
    intent = k.intent(u.decision.intent)
    if u.decision.kind == "answer" and intent and intent.id not in intake.GENERIC \
            and (intent.ticket or intent.action != "answer"):
        return intent
    return None


def _order_answer(k: Kefu, conv: Conversation, intent: Intent | None, text: str,
                  now: datetime) -> Turn:
    details = dict(conv.details)
    uid = conv.user_id
    if _NO_ORDER.search(text):
        return _no_order(k, conv, intent, now)
    if looks_like_order_attempt(text):
        q = intake.question("order_no", intent, k.matcher.faq)
        return conv, [to_buyer(uid, replies.bad_order_no(text) , *q.choices)]
    details.setdefault("notes", []).append(text[:500])
    details["order_attempts"] = details.get("order_attempts", 0) + 1
    if details["order_attempts"] >= 2:
        details["order_help"] = True
    conv = replace(conv, details=details)
    turn_conv, outs = advance(k, conv, intent, now)
    note = to_buyer(uid, replies.ORDER_STILL_NEEDED)
    return turn_conv, [note, *outs]


def _no_order(k: Kefu, conv: Conversation, intent: Intent | None, now: datetime) -> Turn:
    details = dict(conv.details)
    acceptable = intake.rule_of(intent).order_no == "optional" or details.get("order_help")
    if acceptable:
        details["no_order"] = True
    else:
        details["order_help"] = True
    return advance(k, replace(conv, details=details), intent, now)


def cancel(k: Kefu, conv: Conversation, now: datetime) -> Turn:
    uid = conv.user_id
    if conv.step in ("intake", "clarify", "edit", "which_matter", "prove"):
        return Conversation(uid), [to_buyer(uid, replies.CANCELLED)]
    ticket = tickets.current(k, uid, conv.ticket_id)
    if ticket:
        withdraw = choice(f"撤销工单 #{ticket.number}", Withdraw(ticket.id))
        return conv, [to_buyer(uid, replies.withdraw_offer(ticket), withdraw)]
    return Conversation(uid), [to_buyer(uid, replies.NOTHING_TO_CANCEL)]


def human(k: Kefu, conv: Conversation, now: datetime) -> Turn:
    """A person, please: what the buyer already said goes with them, nothing is asked twice."""
    uid = conv.user_id
    said = conv.details.get("text") or conv.details.get("issue")
    if conv.step in ("intake", "which_matter", "prove") and (
            said or conv.intent not in (None, *intake.GENERIC)):
        return hand_over(k, conv, now, mr.HUMAN_KEPT)  # asked mid-question: no more questions
    if conv.step in ("feedback", "clarify"):  # after an answer: collect only what is missing
        intent = _for_a_person(k, conv.intent)
        details = dict(conv.details)
        if said and not details.get("issue") and intent.id not in intake.GENERIC:
            details["issue"] = said[:500]  # understood: no category question; else it is asked
        return start_intake(k, uid, intent, details, now, replies.TO_HUMAN)  # type: ignore[arg-type]
    ticket = tickets.current(k, uid, conv.ticket_id)
    if ticket is not None:
        k.store.ticket_events.add(ticket.id, "buyer", "human_requested", now)
        return conv, [to_buyer(uid, replies.human_queued(ticket, now)),
                      tickets.to_staff(ticket.id, f"买家要求人工 (#{ticket.number})")]
    intent = k.intent("contact_human")
    return start_intake(k, uid, intent, {}, now, replies.TO_HUMAN)  # type: ignore[arg-type]


def _for_a_person(k: Kefu, intent_id: str | None) -> Intent:
    """The intent a ticket for a person takes: the one understood if it can be a ticket,
    else 人工客服 (contact_human)."""
    intent = k.intent(intent_id)
    if intent is None or intent.id == NONE or (intent.ticket is None and intent.tier is None):
        intent = k.intent("contact_human")
    assert intent is not None  # the FAQ contract holds contact_human (docs/intents.md)
    return intent


def hand_over(k: Kefu, conv: Conversation, now: datetime, preface: str) -> Turn:
    """Open a ticket now with what is known: the intent understood and the buyer's words."""
    uid = conv.user_id
    intent = _for_a_person(k, conv.intent if conv.step != "which_matter" else None)
    details = {key: v for key, v in conv.details.items() if key != "asking"}
    if details.get("text") and not details.get("issue"):
        details["issue"] = details["text"][:500]
    if not details.get("order_no"):
        details["no_order"] = True
    ticket, outs = tickets.open_ticket(k, uid, intent, details, now)
    if "order_checked" in details:  # what a lookup found goes on the card too
        ticket = settle_ticket(k, ticket.id, details, now)
        outs = [tickets.staff_card(k, ticket, now) if o.kind == "card" else o for o in outs]
    after = "" if details.get("order_no") else "\n" + mr.HUMAN_NO_ORDER
    outs = [replace(o, text=f"{preface}\n{o.text}{after}") if o.audience == "user" else o
            for o in outs]
    return Conversation(uid, ticket_id=ticket.id), outs
