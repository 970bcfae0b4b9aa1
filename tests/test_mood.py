"""intents.mood: anger, threats and urgency are noted, and never cost the actual problem."""

from __future__ import annotations

import pytest

from intents.decide import Thresholds
from intents.mood import Mood, read_mood
from intents.understand import understand


@pytest.mark.parametrize("text", ["再不处理我就去12315投诉你们", "我要去消协", "发网上曝光你们",
                                  "我去找平台", "报警了", "找律师告你们", "工商局见"])
def test_threats_are_found(text: str) -> None:
    mood = read_mood(text)
    assert mood.threat and mood.angry and mood.words


@pytest.mark.parametrize("text", ["急急急", "赶紧给我处理", "马上发", "快点啊", "卡密呢！！！",
                                  "怎么还没到???"])
def test_urgency_is_found(text: str) -> None:
    assert read_mood(text).urgent


@pytest.mark.parametrize("text", ["卡密没收到", "订单KM202412101101103123", "微信是abc12345",
                                  "抖音币怎么买", "", "谢谢"])
def test_calm_messages_carry_no_cue(text: str) -> None:
    assert read_mood(text) == Mood()


def test_curses_are_anger_not_threats() -> None:
    mood = read_mood("垃圾平台 骗子")
    assert mood.angry and not mood.threat and mood.words == ("垃圾", "骗子")


def test_mood_is_bounded_on_huge_input() -> None:
    assert read_mood("急" * 100_000).urgent


@pytest.mark.parametrize(("text", "intent"), [
    ("垃圾平台骗子商家！充值失败钱还扣了不给退，客服装死，订单KM202412101530774411，"
     "今天不给我退款我就去工商局举报你们，还要发网上曝光", "recharge_failed"),
    ("退款说好的三天，现在一个星期了还没到账，每次问都说在处理，你们是不是想把钱吞了，"
     "再不到账我就去平台投诉你们", "refund_progress"),
])
def test_an_angry_long_message_still_gets_its_problem(matcher, text: str, intent: str) -> None:
    u = understand(matcher, text, Thresholds())
    assert u.decision.intent == intent
    assert u.mood.threat and u.mood.angry
