"""Several problems in one message, and the buyer's mood on the ticket."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import several, urgency
from bot.kefu import Kefu
from bot.outbox import to_buyer
from bot.records import Conversation
from intents.mood import Mood
from intents.understand import Understanding
from tests.fixtures_core import Buyer

Reads = dict[str, Understanding]  # texts whose reading a test decides


def reading(kefu: Kefu, text: str, also: tuple[str, ...] = (), mood: Mood | None = None
            ) -> Understanding:
    """What the real matcher makes of `text`, with the secondary intents and mood given."""
    return replace(kefu.understand(text), also=also, mood=mood or Mood())


@pytest.fixture
def reads(kefu: Kefu, monkeypatch: pytest.MonkeyPatch) -> Reads:
    """Messages the test decides how kefu reads (the rest as the matcher reads them)."""
    given: Reads = {}
    real = Kefu.understand

    def understand(self: Kefu, text: str) -> Understanding:
        return given.get(text) or real(self, text)
    monkeypatch.setattr(Kefu, "understand", understand)
    return given


def test_two_problems_are_named_and_the_question_is_answered(kefu: Kefu,
                                                             reads: Reads) -> None:
    text = "卡密没到 KM202411221530123456 另外这种卡怎么用"
    reads[text] = reading(kefu, "卡密没到 KM202411221530123456 补发", also=("card_usage",))
    reply = Buyer(kefu).says(text)
    assert reply.startswith("你说了两件事: 1. ")
    assert "关于「" in reply and "#T1001" in reply and "预计" in reply


def test_problems_that_need_a_person_share_one_ticket(kefu: Kefu,
                                                      reads: Reads) -> None:
    text = "卡密没到 KM202411221530123456 补发 还有上次充值失败了"
    reads[text] = reading(kefu, "卡密没到 KM202411221530123456 补发",
                          also=("recharge_failed",))
    buyer = Buyer(kefu)
    buyer.says(text)
    ticket = kefu.store.tickets.get(1)
    assert ticket is not None and ticket.details["also"]
    card = next(o.text for o in buyer.last if o.kind == "card")
    assert "另有问题:" in card


def test_an_angry_threat_goes_first_in_its_tier_and_is_noted(kefu: Kefu,
                                                              reads: Reads) -> None:
    calm, angry = "卡密没到 KM202411221530123456 补发", "卡密没到 KM202411221530654321 补发"
    Buyer(kefu, 41).says(calm)
    reads[angry] = reading(kefu, angry, mood=Mood(angry=True, threat=True, words=("12315",)))
    buyer = Buyer(kefu, 42)
    buyer.says(angry)
    first = kefu.store.tickets.all_open()[0]
    assert first.user_id == 42 and first.priority == urgency.THREAT
    card = next(o.text for o in buyer.last if o.kind == "card")
    assert "扬言投诉" in card and "12315" in card


def test_the_mood_never_changes_the_problem(kefu: Kefu, reads: Reads) -> None:
    text = "卡密没到 KM202411221530123456 补发"
    reads[text] = reading(kefu, text, mood=Mood(urgent=True, words=("急急急",)))
    Buyer(kefu).says(text)
    ticket = kefu.store.tickets.get(1)
    assert ticket is not None and ticket.intent == "card_not_received" and ticket.priority == 1


def test_plan_is_none_for_one_problem_and_skips_small_talk(kefu: Kefu) -> None:
    u = reading(kefu, "卡密没到", also=("greeting", "thanks"))
    assert several.plan(u, kefu.intent, str) is None


def test_plan_answers_questions_and_puts_the_lookup_first(kefu: Kefu) -> None:
    u = replace(reading(kefu, "卡密怎么用"), also=("refund_progress",))
    p = several.plan(u, kefu.intent, str)
    # refund_progress looks an order up, so it is no plain question: it goes first
    assert p is not None and p.first is not None and p.first.id == "refund_progress"
    assert p.head.count("关于「") == 1


def test_dress_says_how_to_raise_a_problem_no_ticket_took(kefu: Kefu) -> None:
    u = reading(kefu, "卡密没到", also=("refund_request",))
    p = several.plan(u, kefu.intent, str)
    assert p is not None and p.rest
    dressed = several.dress(p, Conversation(42, "feedback"), [to_buyer(42, "answer")])
    assert dressed[0].text.startswith("你说了两件事") and "你还提到" in dressed[0].text


@pytest.mark.parametrize(("mood", "rank"), [
    (None, 0), ({"urgent": True}, urgency.UPSET), ({"angry": True}, urgency.UPSET),
    ({"threat": True, "angry": True}, urgency.THREAT)])
def test_priority_by_mood(mood: dict[str, bool] | None, rank: int) -> None:
    assert urgency.priority(mood) == rank
