"""How a buyer feels and how hard they press: anger, threats to go elsewhere, urgency.

Noted on the ticket and used to raise its priority within its tier; never used to choose
the intent. Pure, and linear in the (cut) text: a handful of regex scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.prepare import prepare

MAX_CHARS = 600  # the tone of a message shows in its first lines
OUTBURST_REST = 4  # characters besides the curses that a clause of pure venting may hold

# Taking it to someone with power over the shop: a regulator, the platform, the police,
# the public. "投诉你们客服" is a complaint (an intent); going over the shop's head is a threat.
_THREAT = re.compile(
    r"(?<![a-z0-9])(?:12315|12345|110)(?![0-9])|消协|消费者协会|工商局?|市场监管|监管局|报警|警察|"
    r"公安|律师|起诉|法院|告你们|告到|曝光|发到网上|发网上|网上曝|发微博|发抖音|黑猫|媒体|"
    r"投诉到平台|找平台|平台投诉|去平台|向平台|支付宝投诉|微信投诉|举报你们|举报")
_ANGRY = re.compile(
    r"骗子|骗人|骗钱|诈骗|垃圾|破平台|破服务|黑店|坑人|坑钱|坑爹|无良|不要脸|恶心|"
    r"气死|太过分|过分了|什么玩意|搞什么|搞毛|装死|妈的|tm的|他妈|卧槽|我靠|滚蛋|"
    r"fuck|wtf|scam|ridiculous|服了|无语|受不了|忍不了|火大|生气|愤怒|😡|🤬|💢")
_URGENT = re.compile(
    r"急急|很急|着急|急用|急死|十万火急|赶紧|马上|立刻|立即|快点|快快|尽快|速度|"
    r"等不了|等着用|asap|urgent|hurry|[!！]{3,}|[?？]{3,}|^急|急$|急[!！]")


@dataclass(frozen=True)
class Mood:
    """The emotion and urgency cues of one message; `words` are the cues found, for staff."""

    angry: bool = False
    threat: bool = False
    urgent: bool = False
    words: tuple[str, ...] = ()

    @property
    def pressing(self) -> bool:
        """Any cue at all: worth a note on the ticket."""
        return self.angry or self.threat or self.urgent


def _found(rule: re.Pattern[str], text: str) -> list[str]:
    """Distinct cue words of one kind, in order of appearance."""
    return list(dict.fromkeys(m.group(0) for m in rule.finditer(text)))


def outburst(norm: str) -> bool:
    """A clause that only vents or threatens ("垃圾平台", "再不退我就去12315"): it tells
    how the buyer feels, not what went wrong, so matching sets it aside."""
    if _THREAT.search(norm):
        return True
    # "刚买就显示已使用 骗子吧" reports a problem in anger: only a clause that is mostly
    # curses ("垃圾平台骗子商家") is set aside.
    rest = _ANGRY.sub("", norm)
    return rest != norm and sum(ch.isalpha() for ch in rest) <= OUTBURST_REST



def read_mood(text: str) -> Mood:
    """Anger, threats and urgency in a raw message; never raises on any str."""
    clean = prepare(text[:MAX_CHARS]).lower().strip()
    threats, angry, urgent = (_found(r, clean) for r in (_THREAT, _ANGRY, _URGENT))
    # A threat is said in anger even without a curse.
    return Mood(angry=bool(angry or threats), threat=bool(threats), urgent=bool(urgent),
                words=tuple(dict.fromkeys([*threats, *angry, *urgent]))[:8])
