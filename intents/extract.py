"""Pull the details a ticket needs (order number, amount, demand) out of a buyer's message.

Pure functions over any str: they never raise on text and read at most MAX_TEXT characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an
import zhconv

DEFAULT_ORDER_PATTERN = r"[A-Z]{0,4}\d{12,24}"
MAX_TEXT = 2000  # a ticket's details sit in the first lines; longer pastes are logs


@dataclass(frozen=True)
class Details:
    """What one message says about the ticket; None where it says nothing."""

    order_no: str | None = None
    amount: float | None = None  # yuan
    demand: str | None = None  # "补发" | "退款" | "查询" | "其他"


# ---------------------------------------------------------------- order number

# A run: letter/digit chunks linked by short spaces, hyphens or underscores, the way
# buyers retype a number ("KM 2024 1122 1530 1234 56", "2024-1122-0001-2345-67").
_RUN = re.compile(r"[A-Za-z0-9]+(?:[ \t_\-]{1,3}[A-Za-z0-9]+)*")
_CHUNK = re.compile(r"[A-Za-z0-9]+")
_SEPARATORS = re.compile(r"[\s_\-]+")
_MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9]\d{9}")
_LETTERS_THEN_DIGITS = re.compile(r"[A-Za-z]+\d+")
_DIGITS = re.compile(r"\d+")
# Spans whose chunks are never part of an order number: dates and card codes.
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d[-/._](?:0?[1-9]|1[0-2])[-/._](?:0?[1-9]|[12]\d|3[01])"
                   r"(?!\d)")
_HYPHENED = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+){2,}")
# A number right after one of these labels is a contact, ticket, account or secret.
_FOREIGN_LABEL = re.compile(
    r"(?:qq|扣扣|手机|电话|微信|vx|wx|工单|账号|帐号|卡密|卡号|密码|激活码|兑换码|充值码|uid|"
    r"游戏id|角色id)号?码?\s*(?:是|为)?\s*[:：#]?\s*$", re.IGNORECASE)
# Upper-case words before a number that label it rather than prefix it ("NO 2024...").
_NOT_PREFIX = frozenset({"NO", "NR", "ID", "OID", "SN", "NUM", "NUMBER", "ORDER", "ORDERNO",
                         "ORDERID", "IS"})
# Words that make the number after them something else (a QQ, a ticket, a phone).
_CONTACT = frozenset({"QQ", "TEL", "VX", "WX", "WECHAT", "PHONE", "MOBILE", "UID", "T",
                      "TICKET", "CALL"})
_MONEY_MARK = frozenset("¥$+")  # "+86 138...", "¥50": the digits after these are no order
_UNIT_CHARS = frozenset("元块毛角个张点钻次天号月年日时分秒周位条件台份万千百")
_ORDER_LABEL = re.compile(
    r"^\s*(?:我的)?(?:(?:订单编号|订单号码?|订单|单号|编号|(?:order|no|number|id)\b\.?)"
    r"\s*)*(?:是|为)?\s*[:：#]?\s*", re.IGNORECASE)
_TRAILING = re.compile(r"[\s。.!！~,，]+$")
_ATTEMPT = re.compile(r"[A-Za-z]*\d{4,}[A-Za-z0-9]*")


def _prepare(text: str) -> str:
    """Full-width to ASCII (ＫＭ２０２４ -> KM2024) and traditional to simplified (三百塊)."""
    return zhconv.convert(unicodedata.normalize("NFKC", text[:MAX_TEXT]), "zh-cn")


def _compile(pattern: str) -> re.Pattern[str]:
    """The shop's order pattern; case-insensitive because candidates are upper-cased anyway."""
    return re.compile(pattern, re.IGNORECASE)  # re's own cache makes repeats cheap


def _fits(token: str, order_rx: re.Pattern[str]) -> bool:
    """The token, upper-cased, is exactly one order number (never a mobile number)."""
    return not _MOBILE.fullmatch(token) and order_rx.fullmatch(token.upper()) is not None


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    """Dates (2024-11-22) and card codes (ABCD-EFGH-1234-5678) in the text."""
    spans = [m.span() for m in _DATE.finditer(text)]
    for m in _HYPHENED.finditer(text):
        sizes = {len(part) for part in _SEPARATORS.split(m.group())}
        # Card codes come in equal blocks with letters; order numbers are digits after a prefix.
        if len(sizes) == 1 and any(c.isalpha() for c in m.group()):
            spans.append(m.span())
    return spans


def _is_barrier(text: str, chunk: re.Match[str], blocked: list[tuple[int, int]]) -> bool:
    """A chunk that cannot be part of an order number: date, code, phone, amount, quantity."""
    start, end, word = chunk.start(), chunk.end(), chunk.group()
    if any(a <= start < b for a, b in blocked) or _MOBILE.fullmatch(word):
        return True
    if not word.isdigit():
        return False
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    # Short numbers glued to 元/个/点券 or after ¥/+ are money, quantities or phone prefixes.
    return before in _MONEY_MARK or (len(word) <= 8 and after in _UNIT_CHARS)


def _role(text: str, chunk: re.Match[str], blocked: list[tuple[int, int]],
          order_rx: re.Pattern[str]) -> str:
    """How a chunk takes part in an order number: whole, digits, head (starts one) or stop."""
    word = chunk.group()
    if _is_barrier(text, chunk, blocked):
        return "stop"
    if word.upper() in _CONTACT:
        return "head"  # kept so that the group it starts is rejected as a whole
    if _fits(word, order_rx):
        return "whole"
    if word.isdigit():
        return "digits"
    if word.isalpha():
        # Only a typed-in-capitals code ("KM 2024...") prefixes; "is", "order", "No" label.
        return "head" if word.isupper() and word not in _NOT_PREFIX else "stop"
    return "head" if _LETTERS_THEN_DIGITS.fullmatch(word) else "stop"


def _groups(text: str, run: re.Match[str], order_rx: re.Pattern[str]) -> list[list[str]]:
    """Split a run into candidate groups: an optional letter head, then digit chunks."""
    blocked = _blocked_spans(text[run.start():run.end()])
    blocked = [(a + run.start(), b + run.start()) for a, b in blocked]
    groups: list[list[str]] = []
    current: list[str] = []
    for chunk in _CHUNK.finditer(text, run.start(), run.end()):
        role = _role(text, chunk, blocked, order_rx)
        if role == "digits":
            current.append(chunk.group())
            continue
        head_only = len(current) == 1 and current[0].isalpha()
        if current and not (role == "whole" and head_only):
            groups.append(current)
            current = []
        # A chunk that is an order number by itself is never glued to its neighbours.
        if role == "whole":
            groups.append([*current, chunk.group()])
        current = [chunk.group()] if role == "head" else []
    return [*groups, current] if current else groups


def _pick(group: list[str], order_rx: re.Pattern[str]) -> str | None:
    """The group joined (with its letter head, else without) if it is one order number."""
    if group[0].upper() in _CONTACT:
        return None
    options = (group, group[1:]) if group[0].isalpha() else (group,)
    for option in options:
        joined = "".join(option).upper()
        if joined and _fits(joined, order_rx):
            return joined
    return None


def _order_in_run(text: str, run: re.Match[str], order_rx: re.Pattern[str]) -> str | None:
    """The first order number inside one run, unless the run is labelled as something else."""
    # Order numbers carry digits: skipping words keeps long English pastes cheap.
    if not _DIGITS.search(text, run.start(), run.end()) \
            or _FOREIGN_LABEL.search(text, max(0, run.start() - 10), run.start()):
        return None
    for group in _groups(text, run, order_rx):
        found = _pick(group, order_rx)
        if found:
            return found
    return None


def extract_order_no(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> str | None:
    """The first order number in a message, canonical (upper case, separators removed)."""
    text, order_rx = _prepare(text), _compile(pattern)
    for run in _RUN.finditer(text):
        found = _order_in_run(text, run, order_rx)
        if found:
            return found
    return None


def canonical_order_no(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> str | None:
    """The whole reply as one order number (labels like 订单号: allowed), else None."""
    text = _prepare(text)
    rest = _TRAILING.sub("", _ORDER_LABEL.sub("", text, count=1))
    if not _RUN.fullmatch(rest):
        return None
    joined = _SEPARATORS.sub("", rest).upper()
    return joined if _fits(joined, _compile(pattern)) else None


def looks_like_order_attempt(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> bool:
    """The buyer typed an order-like run (6+ characters, 4+ digits) that is not a valid one."""
    text = _prepare(text)
    if extract_order_no(text, pattern):
        return False
    for run in _RUN.finditer(text):
        if _DATE.fullmatch(run.group()):
            continue  # a date answers "when", not "which order"
        match = _ATTEMPT.search(_SEPARATORS.sub("", run.group()))
        if match and len(match.group()) >= 6:
            return True
    return False


# ---------------------------------------------------------------------- amount

_CN_DIGIT = "零〇一二两三四五六七八九"
_CN = rf"[{_CN_DIGIT}十百千万]+(?:点[{_CN_DIGIT}]+)?"
_CN_WITH_UNIT = rf"[{_CN_DIGIT}十百千万]*[十百千万][{_CN_DIGIT}十百千万]*"
_AR = r"(?:\d{1,3}(?:,\d{3})+|\d{1,7})(?:\.\d{1,2})?"
# "三十八块八", "50块5毛": one digit after 块/元 is tenths, unless it counts something.
_TAIL = rf"(?:([\d{_CN_DIGIT}])(?:毛|角)?(?![\d{_CN_DIGIT}十百千万个张次天点号]))?"
_MONEY_UNIT = r"(?:块钱?(?!儿)|元(?!宝)|rmb|cny|yuan|rmb)"
_NON_MONEY = (r"(?:[点个张次天号月年日时分秒周位条件台份颗枚把遍回下趟局级倍%w万千百几半些]"
              r"|小时|钻|uc|元宝|金币|q币)")
_VERB = (r"(?:付了|付款|支付了?|已付|付|充值了?|冲值了?|充了|冲了|充|冲|花了|花费了?|买了|"
         r"购买了?|扣了|扣款|被扣了?|转了|转账了?|交了|消费了?|实付|金额|价格|价钱|一共|总共|"
         r"共计|合计|付的|每次|每笔|每单|一单|单价|paid|topped up|top up|charged)")
_AMOUNT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("digits", re.compile(rf"(?:¥|(?<![a-z])(?:rmb|cny)|人民币)\s*({_AR})(?!\d)()()")),
    ("digits", re.compile(rf"(?<![a-z0-9.,])({_AR})\s*(万|千)?多?\s*{_MONEY_UNIT}{_TAIL}")),
    ("digits", re.compile(rf"(?<![a-z0-9.,])({_AR})r(?![a-z0-9])()()")),
    ("digits", re.compile(rf"{_VERB}\s*(?:¥|rmb)?\s*({_AR})(?!\d|[.,:/\-]\d)()()"
                          rf"(?!\s*{_NON_MONEY})")),
    ("chinese", re.compile(rf"(?<!第)({_CN})多?{_MONEY_UNIT}(){_TAIL}")),
    ("chinese", re.compile(rf"{_VERB}\s*({_CN_WITH_UNIT})(?![{_CN_DIGIT}])()()"
                           rf"(?!\s*{_NON_MONEY})")),
    # "648的", "一百二的那个": a bare number named as "the 648 one" is a price.
    ("digits", re.compile(rf"(?<![a-z0-9.,:#])(?<!面值)(?<!面额)({_AR})的()()"
                          rf"(?!\s*{_NON_MONEY})")),
    ("chinese", re.compile(rf"(?<![{_CN_DIGIT}十百千万第])({_CN_WITH_UNIT})的()()"
                           rf"(?!\s*{_NON_MONEY})")),
    ("chinese", re.compile(rf"(?<![\d{_CN_DIGIT}十百千万块元])()()([\d{_CN_DIGIT}])"
                           r"(?:毛钱?|角钱)")),
)
_CN_VALUES = "〇一两三四五六七八九"  # index = value; 零 and 二 are folded in by _digit


def _digit(char: str) -> int:
    """One digit, Arabic or Chinese."""
    if char.isascii():
        return int(char) if char.isdigit() else 0
    return max(0, _CN_VALUES.find(char.replace("零", "〇").replace("二", "两")))


def _number(kind: str, text: str) -> float | None:
    """An Arabic (1,000.5) or Chinese (一百二, 两千五) number; None if unreadable."""
    if not text:
        return 0.0
    if kind == "digits":
        return float(text.replace(",", ""))
    try:
        return float(cn2an.cn2an(text, "normal"))  # "normal" reads 一百二 as 120
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _amount_of(kind: str, m: re.Match[str]) -> float | None:
    """Yuan from one match: main number x 万/千, plus a tenths digit (块五, 五毛)."""
    main = _number(kind, m.group(1))
    if main is None:
        return None
    value = main * {"万": 10000, "千": 1000}.get(m.group(2) or "", 1)
    if m.group(3):
        value += _digit(m.group(3)) / 10
    return round(value, 2) if value > 0 else None


def extract_amount(text: str) -> float | None:
    """The first amount of money in yuan (50元, ¥9.9, 五十块, 付了100), else None."""
    text = _prepare(text).lower()
    best: tuple[int, float] | None = None
    for kind, rule in _AMOUNT_RULES:
        m = rule.search(text)
        value = _amount_of(kind, m) if m else None
        if m and value is not None:
            start = m.start(1) if m.group(1) else m.start(3)
            if best is None or start < best[0]:
                best = (start, value)
    return best[1] if best else None


# ---------------------------------------------------------------------- demand

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
    clean = _prepare(text).lower()
    return _choose(clean, _hits(clean, _STRICT_DEMAND))


def parse_demand_answer(text: str) -> tuple[str, str]:
    """An answer to "what do you want?": (demand, the buyer's words); unknown -> 其他."""
    words = text.strip()[:MAX_TEXT]
    clean = _prepare(words).lower()
    if _OTHER.match(clean):
        return "其他", words
    demand = (_choose(clean, _hits(clean, _STRICT_DEMAND))
              or _choose(clean, _hits(clean, _LOOSE_DEMAND)))
    return (demand, words) if demand else ("其他", words)


def extract(text: str, order_pattern: str = DEFAULT_ORDER_PATTERN) -> Details:
    """All details one message carries."""
    return Details(extract_order_no(text, order_pattern), extract_amount(text),
                   extract_demand(text))
