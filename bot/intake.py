"""Which detail a ticket still lacks, and the question that asks for it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import replies
from bot.callbacks import Issue, choice
from bot.records import Choice
from intents.faq import Faq, Intent, TicketRule

# Intents that say "a person, please" without saying what the problem is.
GENERIC = ("contact_human", "none")
# The problems offered when the buyer has not said what is wrong.
ISSUE_MENU = ("card_not_received", "card_invalid", "recharge_failed", "recharge_delayed",
              "refund_request", "payment_no_order", "account_stolen")
OTHER_ISSUE = "contact_human"


@dataclass(frozen=True)
class Question:
    """One question to the buyer and the choices offered with it."""

    field: str
    text: str
    choices: tuple[Choice, ...]


def rule_of(intent: Intent | None) -> TicketRule:
    """The ticket rule of an intent (required order number, ask demand by default)."""
    return intent.ticket if intent and intent.ticket else TicketRule()


def missing(intent: Intent | None, details: dict[str, Any]) -> str | None:
    """The next detail to ask for, or None when the ticket can open."""
    if intent is None or (intent.id in GENERIC and not details.get("issue")):
        return "issue"
    rule = rule_of(intent)
    if rule.order_no != "skip" and not details.get("order_no") and not details.get("no_order"):
        return "order_no"
    if rule.demand == "ask" and not details.get("demand"):
        return "demand"
    return None


def question(field: str, intent: Intent | None, faq: Faq, order_help: bool = False) -> Question:
    """The question for a field, with its choices (cancel always offered)."""
    if field == "issue":
        menu = [choice(faq.by_id[i].label, Issue(i)) for i in ISSUE_MENU if i in faq.by_id]
        return Question(field, replies.ASK_ISSUE,
                        (*menu, choice("其他问题", Issue(OTHER_ISSUE)), replies.CANCEL))
    if field == "order_no":
        if order_help:
            return Question(field, replies.ORDER_HELP, (replies.CANT_FIND_ORDER, replies.CANCEL))
        if rule_of(intent).order_no == "optional":
            return Question(field, replies.ASK_ORDER_OPTIONAL, (replies.NO_ORDER, replies.CANCEL))
        return Question(field, replies.ASK_ORDER, (replies.CANCEL,))
    return Question(field, replies.ASK_DEMAND, (*replies.DEMAND_CHOICES, replies.CANCEL))


def fixed_demand(intent: Intent | None) -> str | None:
    """The demand an intent implies by itself (refund_request -> 退款)."""
    demand = rule_of(intent).demand
    return None if demand == "ask" else demand
