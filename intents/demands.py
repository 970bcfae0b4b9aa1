"""What a buyer asks for (补发, 退款, 查询, or another wish) from keywords, minding
negation (不要退款) and fallbacks (不行就退款).

Pure functions over any str: they never raise on text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.prepare import MAX_TEXT, prepare

_STRICT_DEMAND: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("补发", re.compile(
        r"[补補捕布][发發髮法]|补一张|补一个|补个|补张|补给我|重发|重發|重新发|"
        r"再发一次|再发一遍|再发一个|再发一张|再发个|再给我发|换一张|换一个|换张|换个|"
        r"给我卡密|把卡密发我|卡密发我|发卡密|发下卡密|发一下卡密|重新充值?|补充值|"
        r"再充一次|补单|发货|补上|补给|补回|(?:快点?|赶紧|马上|速度|尽快)(?:给我)?发|发过来|发给我")),
    ("退款", re.compile(
        r"申请退款|[退腿推][款欵歀宽寬]|退kuan|tui\s?kuan|(?<![a-z])tk(?![a-z])|"
        r"退钱|退錢|退费|退回来|退回|退给我|退我|把钱退|钱退|不要了|退货|退单|退單|返还|"
        r"返還|返钱|还钱|还我钱|退掉|全退|撤单|取消订单|能不能退|可不可以退|可以退|能退|给退|帮我退|"
        r"退一下")),
    ("查询", re.compile(
        r"查一下|查一查|查下|查查|查询|查詢|帮我查|帮忙查|帮我看看|帮我看下|看看|看下|看一下|"
        r"什么情况|啥情况|到哪了|到哪里了|进度|進度|状态|狀態|怎么回事|咋回事|怎么样了|"
        r"啥时候到|什么时候到|多久到|到没到|到了没|处理到哪|有结果吗|"
        r"(?<=[发發款货充值钱账帐])了(?:吗|么|没有?)|(?<![a-z])check(?![a-z])|look into|"
        r"查原因|什么原因|啥原因|为什么|为啥")),
    # Wishes that are neither resend, refund nor a check: moving, undoing, restoring.
    ("其他", re.compile(
        r"撤回|撤销|追回|转过去|转回|转到|转给|改成|改回|改到|换到|移到|换绑|改绑|解封|解冻|"
        r"恢复|找回|赔偿|补偿|投诉|举报|开通")),
)
# Answering "补发/退款/查询?" buyers write one syllable: 退, 补, 查.
_LOOSE_DEMAND: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("补发", re.compile(r"补|换|重新|再发|发我")),
    ("退款", re.compile(r"退")),
    ("查询", re.compile(r"查|看|问问")),
)
# "不要退款", "别给我补发" refuse; "要不退款吧" suggests, "怎么还不发货" / "能不能补发" ask.
_NEGATED_BEFORE = re.compile(
    r"(?:(?<![要还么啥咋能可])不|别|甭|无需|没必要|没有?|未)(?:要|用|想|需要|必)?[是要再给我帮你们去申请直接想先]{0,3}$")
_NEGATED_AFTER = re.compile(r"[的吧就也了]{0,2}(?:不用了|不要了|算了|就不用|不需要)")
_WANTED = re.compile(r"(?:要|想|申请|直接|给我|请|帮我|麻烦|赶紧|快点?|马上|必须)"
                     r"[我你们给帮一下个]{0,2}$")
# "补发不了就退款": what follows 不行就/不然/或者 is the fallback, not the request.
_FALLBACK = re.compile(r"(?:(?:(?:实在)?不行|不能|不了|没法|没有|的话)就|不然|否则|要不然|"
                       r"再不|或者)[\s,，]?$")
_PAUSE = re.compile(r"[\s,，。.!！?？;；~]")
_OTHER = re.compile(r"^\s*(?:其他|其它|别的|都不是)")


@dataclass(frozen=True)
class _Hit:
    """One demand keyword found in the text."""

    demand: str
    start: int
    end: int
    strength: int


def _strength(text: str, start: int) -> int:
    """+1 when asked for (我要退款), -1 when only a fallback (不行就退款)."""
    window = max(0, start - 6)
    if _FALLBACK.search(text, window, start):
        return -1
    return 1 if _WANTED.search(text, window, start) else 0


def _hits(text: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> list[_Hit]:
    """Every non-negated keyword of every demand, with its position and strength."""
    return [_Hit(demand, m.start(), m.end(), _strength(text, m.start()))
            for demand, rule in table for m in rule.finditer(text)
            if not _NEGATED_BEFORE.search(text, max(0, m.start() - 8), m.start())
            and not _NEGATED_AFTER.match(text, m.end())]


def _subject_of_query(text: str, hit: _Hit, hits: list[_Hit]) -> bool:
    """"退款到哪了", "补发的进度": the action is what is asked about, not what is asked for."""
    return hit.demand != "查询" and any(
        h.demand == "查询" and 0 <= h.start - hit.end <= 4
        and not _PAUSE.search(text, hit.end, h.start) for h in hits)


_RANK = {"补发": 2, "退款": 2, "其他": 1, "查询": 0}


def _choose(text: str, hits: list[_Hit]) -> str | None:
    """A fallback ("不行就退款") loses; then 补发/退款 beat another wish, which beats 查询;
    then the stronger ask; then the one stated last."""
    kept = [h for h in hits if not _subject_of_query(text, h, hits)]
    if not kept:
        return None
    return max(kept, key=lambda h: (h.strength >= 0, _RANK[h.demand], h.strength, h.start)).demand


def extract_demand(text: str) -> str | None:
    """What the buyer wants, 补发, 退款 or 查询, from keywords; None if unsaid."""
    clean = prepare(text).lower()
    return _choose(clean, _hits(clean, _STRICT_DEMAND))


def parse_demand_answer(text: str) -> tuple[str, str]:
    """An answer to "what do you want?": (demand, the buyer's words); unknown -> 其他."""
    words = text.strip()[:MAX_TEXT]
    clean = prepare(words).lower()
    if _OTHER.match(clean):
        return "其他", words
    demand = (_choose(clean, _hits(clean, _STRICT_DEMAND))
              or _choose(clean, _hits(clean, _LOOSE_DEMAND)))
    return (demand, words) if demand else ("其他", words)
