"""Which tier a ticket opens in: its intent's, or S when big money is at stake (pure).

An order at or over `tiers.S.amount` with a problem goes to the front of the queue
whatever the problem is; a question about how things work never does.
"""

from __future__ import annotations

from intents.faq import Intent

LARGE = "large_order_abnormal"
# Questions, not problems: a big number in them ("批量买 5000 块有优惠吗") is no emergency.
QUESTIONS = ("product_inquiry", "bulk_purchase", "business_hours", "card_usage",
             "refund_progress", "channel_maintenance", "ticket_progress", "greeting", "thanks",
             "goodbye", "none")


def is_big(amount: object, threshold: float) -> bool:
    """Whether a sum the buyer gave (or the shop holds) reaches the S-tier threshold."""
    return isinstance(amount, int | float) and amount >= threshold


def tier_of(intent: Intent, amount: object, threshold: float) -> str:
    """The tier a ticket about this intent and sum opens in."""
    if intent.id not in QUESTIONS and is_big(amount, threshold):
        return "S"
    return intent.tier or "B"


def large_instead(intent: Intent, amount: object, threshold: float) -> bool:
    """A big order reported through an intent that would only answer ("一直显示处理中")."""
    return (intent.id not in QUESTIONS and intent.action == "answer"
            and is_big(amount, threshold))
