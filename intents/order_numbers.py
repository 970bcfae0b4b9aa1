"""Find a shop's order number in a buyer's message, however it was retyped, and tell a
failed attempt at one from dates, phones, card codes and amounts.

Pure functions over any str: they never raise on text.
"""

from __future__ import annotations

import re

from intents.prepare import prepare

DEFAULT_ORDER_PATTERN = r"[A-Z]{0,4}\d{12,24}"

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
    r"(?:qq|扣扣|手机|电话|微信|vx|wx|工单|账号|帐号|卡号|密码|激活码|兑换码|充值码|uid|"
    r"游戏id|角色id)号?码?\s*(?:是|为)?\s*[:：#]?\s*$", re.IGNORECASE)
# 卡密 (卡米 is the usual typo) is both a secret's label and the goods buyers miss. With
# 是 or a colon the buyer gives the code's value: never an order number.
_SECRET_GIVEN = re.compile(r"卡[密米]\s*(?:(?:是|为)\s*[:：#]?|[:：#])\s*$")
_SECRET_BARE = re.compile(r"卡[密米]\s*$")
# "没给卡密 KM…": the code is what is missing, so what follows is the order that lacks it.
_SECRET_MISSING = re.compile(r"(?:没|未|不|缺|要|补|等|求|给我|发我)[^\s,，。]{0,3}?卡[密米]\s*$")
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


def _secret_label(before: str) -> str:
    """How the words before a run label it: "foreign" (not an order), "bare" 卡密, or ""."""
    if _FOREIGN_LABEL.search(before) or _SECRET_GIVEN.search(before):
        return "foreign"
    if _SECRET_BARE.search(before) and not _SECRET_MISSING.search(before):
        return "bare"
    return ""


def _order_in_run(text: str, run: re.Match[str], order_rx: re.Pattern[str]) -> str | None:
    """The first order number inside one run, unless the run is labelled as something else."""
    # Order numbers carry digits: skipping words keeps long English pastes cheap.
    if not _DIGITS.search(text, run.start(), run.end()):
        return None
    label = _secret_label(text[max(0, run.start() - 12):run.start()])
    if label == "foreign":
        return None
    for group in _groups(text, run, order_rx):
        found = _pick(group, order_rx)
        # After a bare "卡密 " a run of digits may be the code itself ("卡密 1234…");
        # a letter head (KM2024…) is the shop's order shape, which codes do not copy.
        if found and not (label == "bare" and found[0].isdigit()):
            return found
    return None


def extract_order_no(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> str | None:
    """The first order number in a message, canonical (upper case, separators removed)."""
    text, order_rx = prepare(text), _compile(pattern)
    for run in _RUN.finditer(text):
        found = _order_in_run(text, run, order_rx)
        if found:
            return found
    return None


def canonical_order_no(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> str | None:
    """The whole reply as one order number (labels like 订单号: allowed), else None."""
    text = prepare(text)
    rest = _TRAILING.sub("", _ORDER_LABEL.sub("", text, count=1))
    if not _RUN.fullmatch(rest):
        return None
    joined = _SEPARATORS.sub("", rest).upper()
    return joined if _fits(joined, _compile(pattern)) else None


def looks_like_order_attempt(text: str, pattern: str = DEFAULT_ORDER_PATTERN) -> bool:
    """The buyer typed an order-like run (6+ characters, 4+ digits) that is not a valid one."""
    text = prepare(text)
    if extract_order_no(text, pattern):
        return False
    for run in _RUN.finditer(text):
        if _DATE.fullmatch(run.group()):
            continue  # a date answers "when", not "which order"
        match = _ATTEMPT.search(_SEPARATORS.sub("", run.group()))
        if match and len(match.group()) >= 6:
            return True
    return False
