"""Decisions: answer when sure, clarify when close, fall back when nothing fits."""

from intents.decide import NONE, Decision, Thresholds, decide
from intents.match import Candidate, Ranking

TH = Thresholds(answer=0.6, margin=0.1, clarify=0.3)


def ranking(*scored: tuple[str, float]) -> Ranking:
    return Ranking("text", tuple(Candidate(i, s) for i, s in scored))


def test_high_score_with_clear_lead_is_answered() -> None:
    d = decide(ranking(("refund_request", 0.8), ("refund_progress", 0.5)), TH)
    assert (d.kind, d.intent, d.label) == ("answer", "refund_request", "refund_request")


def test_high_score_with_a_close_runner_up_asks_which_one() -> None:
    d = decide(ranking(("refund_request", 0.8), ("refund_progress", 0.75), ("greeting", 0.2)), TH)
    assert d.kind == "clarify"
    assert d.choices == ("refund_request", "refund_progress")
    assert d.label == "refund_request"


def test_middling_score_clarifies_with_top_choices() -> None:
    d = decide(ranking(("card_invalid", 0.45), ("card_usage", 0.2), ("greeting", 0.1)), TH)
    assert d.kind == "clarify"
    assert d.choices[0] == "card_invalid" and len(d.choices) >= 2


def test_low_score_falls_back_to_none() -> None:
    d = decide(ranking(("card_invalid", 0.2)), TH)
    assert (d.kind, d.label) == ("fallback", NONE)


def test_empty_ranking_falls_back() -> None:
    assert decide(ranking(), TH) == Decision("fallback", NONE, 0.0)


def test_none_on_top_falls_back_however_high() -> None:
    assert decide(ranking((NONE, 0.95), ("greeting", 0.1)), TH).kind == "fallback"


def test_choices_never_offer_none() -> None:
    d = decide(ranking(("greeting", 0.4), (NONE, 0.39), ("thanks", 0.35)), TH)
    assert NONE not in d.choices


def test_lone_confident_candidate_is_answered() -> None:
    assert decide(ranking(("greeting", 0.9)), TH).kind == "answer"


def test_lone_middling_candidate_clarifies_with_itself() -> None:
    d = decide(ranking(("greeting", 0.4)), TH)
    assert (d.kind, d.choices) == ("clarify", ("greeting",))


def test_default_thresholds_keep_clarify_below_answer() -> None:
    th = Thresholds()
    assert 0 < th.clarify < th.answer <= 1 and 0 < th.margin < 1


def test_a_word_for_word_example_is_answered_despite_a_close_runner_up() -> None:
    exact = Ranking("冲值失败了", (Candidate("recharge_failed", 0.97, "冲值失败了"),
                                   Candidate("large_order_abnormal", 0.96, "大额充值失败了")))
    assert decide(exact, TH).kind == "answer"
    # the same example under two intents is a real tie: still ask
    shared = Ranking("充值", (Candidate("recharge_failed", 0.97, "充值"),
                              Candidate("recharge_delayed", 0.96, "充值")))
    assert decide(shared, TH).kind == "clarify"
