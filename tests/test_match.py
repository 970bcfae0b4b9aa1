"""The matcher on the shipped FAQ: buyers' spellings still reach the right intent."""

import pytest

from intents.decide import Thresholds
from intents.faq import Faq, Intent
from intents.match import build_matcher
from intents.understand import understand


def top_intent(matcher, text: str) -> str | None:
    top = matcher.rank(text).top
    return top.intent if top else None


@pytest.mark.parametrize("text", ["卡米到现在还没给我", "卡蜜付完钱没看到", "卡咪呢 付了钱的"])
def test_homophones_of_card_code_reach_card_not_received(matcher, text: str) -> None:
    assert top_intent(matcher, text) == "card_not_received"


def test_traditional_characters_match_like_simplified(matcher) -> None:
    assert top_intent(matcher, "帳號被盜了 裡面的餘額都被花光") == "account_stolen"


def test_full_width_digits_and_emoji_do_not_get_in_the_way(matcher) -> None:
    assert top_intent(matcher, "充值成功了😡😡 等了３０分钟游戏里还是没有") == "recharge_delayed"


def test_order_number_pasted_in_the_middle_keeps_the_intent(matcher) -> None:
    text = "我昨天申请的退款 KM202411201122334455 到现在还没退回来"
    assert top_intent(matcher, text) == "refund_progress"


def test_typos_from_the_synonym_table_are_understood(matcher) -> None:
    assert top_intent(matcher, "冲值失败了 钱扣了") == "recharge_failed"


def test_english_request_reaches_the_chinese_intent(matcher) -> None:
    assert top_intent(matcher, "I was charged twice for the same order") == "duplicate_charge"


def test_candidates_are_sorted_and_distinct(matcher) -> None:
    ranking = matcher.rank("付了钱卡密没到 想退款")
    scores = [c.score for c in ranking.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len({c.intent for c in ranking.candidates}) == len(scores)


def test_margin_is_lead_over_runner_up(matcher) -> None:
    ranking = matcher.rank("卡密无效")
    first, second = ranking.candidates[:2]
    assert ranking.margin == pytest.approx(first.score - second.score)


def test_exact_example_scores_high(matcher) -> None:
    assert matcher.rank("卡密无效").top.score > 0.8


def test_message_with_nothing_known_has_no_candidates(matcher) -> None:
    assert matcher.rank("zzzz qqqq").candidates == ()


def test_matcher_works_on_a_minimal_faq() -> None:
    faq = Faq((Intent("refund_request", ("我要退款",)), Intent("greeting", ("你好",))))
    assert build_matcher(faq).rank("退款").top.intent == "refund_request"


BAD_INPUT = ["", "   ", "卡" * 10_000, "😭🙏😡", "hello world this is english",
             "\x00\x01\x1b\x7f", "13800138000", "202411221530123456", "？！"]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_gets_a_decision_not_an_exception(matcher, text: str) -> None:
    decision = understand(matcher, text, Thresholds()).decision
    assert decision.kind in ("answer", "clarify", "fallback")


def test_asking_for_a_person_always_reaches_contact_human(matcher) -> None:
    decision = understand(matcher, "别废话了 转人工", Thresholds()).decision
    assert (decision.kind, decision.intent) == ("answer", "contact_human")


def test_asking_when_people_work_is_not_forced_to_contact_human(matcher) -> None:
    decision = understand(matcher, "人工客服几点上班", Thresholds()).decision
    assert decision.intent == "business_hours"


@pytest.mark.parametrize(("text", "intent"), [
    ("付了钱卡密没到", "card_not_received"),
    ("冲值失败了", "recharge_failed"),
    ("退款多久到", "refund_progress"),
    # everything at once: the order number, the sum and the wish do not blur the intent
    ("付了钱卡密没到 订单号KM202411221530123456 帮我补发 花了五十块", "card_not_received"),
])
def test_the_briefs_own_phrases_are_answered(matcher, text: str, intent: str) -> None:
    from intents.decide import Thresholds
    from intents.understand import understand
    decision = understand(matcher, text, Thresholds()).decision
    assert (decision.kind, decision.intent) == ("answer", intent)


def test_a_stated_wish_demotes_intents_that_contradict_it(matcher) -> None:
    from intents.decide import Thresholds
    from intents.understand import understand
    text = "付了钱卡密没到 订单号KM202411221530123456 帮我补发"
    ranked = understand(matcher, text, Thresholds()).ranking.candidates
    scores = {c.intent: c.score for c in ranked}
    raw = {c.intent: c.score for c in matcher.rank(text).candidates}
    assert scores["refund_request"] < raw["refund_request"]  # 补发 is no 退款 request
    assert scores["card_not_received"] == raw["card_not_received"]


@pytest.mark.parametrize("text", ["5", "５", "5!", " 5 ", "1", "3", "500", "5000", "123456",
                                  "五", "5块", "5 块", "五块", "12 34"])
def test_a_bare_number_is_never_an_intent(matcher, text: str) -> None:
    # Buyers type "5" to rate or pick; it once opened a 大额订单异常 intake (issue 13).
    from intents.decide import Thresholds
    from intents.understand import understand
    decision = understand(matcher, text, Thresholds()).decision
    assert (decision.kind, decision.intent) == ("fallback", "none")


def test_a_long_digit_run_is_still_read_as_an_order_number(matcher) -> None:
    from intents.decide import Thresholds
    from intents.understand import understand
    u = understand(matcher, "202411220001234567", Thresholds())
    assert u.details.order_no == "202411220001234567"


def test_a_number_the_faq_lists_keeps_its_intent(matcher) -> None:
    # "88" and "886" are how buyers type 拜拜; the FAQ lists them under goodbye.
    from intents.decide import Thresholds
    from intents.understand import understand
    assert understand(matcher, "88", Thresholds()).decision.intent == "goodbye"


LONG_RANT = ("我下午三点多在你们店里买了一张骏网一卡通，钱是微信付的，付完页面就一直转圈，"
             "现在都快两个小时了卡密还是没看到，邮箱也没有，麻烦帮我看一下")


def test_a_long_message_is_ranked_clause_by_clause(matcher) -> None:
    ranking = matcher.rank(LONG_RANT)
    assert len(ranking.parts) >= 3
    assert ranking.top.intent == "card_not_received"


def test_a_long_message_with_its_problem_first_does_not_fall_back(matcher) -> None:
    text = ("王者荣耀直充我填的QQ号也对区服也对，付完钱提示充值失败请联系客服，钱已经从支付宝"
            "扣掉了，点券一个都没有")
    decision = understand(matcher, text, Thresholds()).decision
    assert decision.kind != "fallback" and decision.intent == "recharge_failed"


def test_short_messages_keep_one_clause(matcher) -> None:
    assert matcher.rank("冲值失败了").parts == ()


@pytest.mark.parametrize(("text", "primary", "also"), [
    ("卡密提示无效，我想直接退款不要了，另外你们这个客服态度也太差了我要投诉",
     "card_invalid", "complaint"),
    ("我的账号被冻结了，申请解封的工单也一直没有回复，请问进度怎么样了",
     "account_frozen", "ticket_progress"),
])
def test_two_problems_are_both_reported(matcher, text: str, primary: str, also: str) -> None:
    u = understand(matcher, text, Thresholds())
    assert u.decision.kind == "answer"
    assert {primary, also} <= {u.decision.intent, *u.also}


@pytest.mark.parametrize("text", ["你好 在吗 卡密没收到 谢谢", LONG_RANT, "冲值失败了",
                                  "充值失败 退款 不然我去12315投诉"])
def test_also_never_holds_social_turns_or_the_primary(matcher, text: str) -> None:
    u = understand(matcher, text, Thresholds())
    assert len(u.also) <= 2 and u.decision.intent not in u.also
    assert not set(u.also) & {"greeting", "thanks", "goodbye", "none"}


@pytest.mark.parametrize(("text", "intent", "demand"), [
    ("冲值失败 退款", "recharge_failed", "退款"),
    ("卡密没到 KM202412041900000007", "card_not_received", None),
    ("微信充值失败了 KM202412041900000007 退款", "recharge_failed", "退款"),
    ("點解我買咗張卡冇收到卡密㗎", "card_not_received", None),
])
def test_clear_single_problems_are_answered_outright(matcher, text, intent, demand) -> None:
    u = understand(matcher, text, Thresholds())
    assert (u.decision.kind, u.decision.intent) == ("answer", intent)
    if demand:
        assert u.details.demand == demand


@pytest.mark.parametrize("text", ["微信充值失败了 KM202412041900000007 退款", "三个二十 扣了",
                                  "两百多 充值失败"])
def test_ordinary_orders_never_lead_with_a_large_order(matcher, text: str) -> None:
    u = understand(matcher, text, Thresholds())
    assert u.decision.intent != "large_order_abnormal"
    assert "large_order_abnormal" not in u.decision.choices


def test_a_batch_still_reaches_the_large_order_intake(matcher) -> None:
    u = understand(matcher, "今天下的几十个直充单全失败", Thresholds())
    assert u.decision.intent == "large_order_abnormal"


def test_no_input_takes_more_than_a_bounded_multiple_of_a_short_one(matcher) -> None:
    import time

    def ms(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            understand(matcher, text, Thresholds())
            best = min(best, time.perf_counter() - start)
        return best

    short = ms("卡密没收到 KM202412041900000007")
    for text in ["一二三四五六七八九十" * 200, "卡密没到，充值失败，" * 200, "急！" * 1000]:
        assert ms(text) < short * 25
