"""Find an amount of money in yuan in a buyer's message: 50元, ¥9.9, 五十块, 三十八块八.

Pure functions over any str: they never raise on text.
"""

from __future__ import annotations

import re

import cn2an

from intents.prepare import prepare

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
# Read only when the rules above find nothing: a bare number said as a price ("328啊",
# "扣了两次45", "三个二十", "一百五十八", "两百多"). Quantities, dates and face values stay out.
_NOT_PRICE_AFTER = rf"(?![\d{_CN_DIGIT}十百千万.,:/\-])(?!\s*(?:{_NON_MONEY}|面值|面额|点券|q币))"
_CHARGES = r"(?:扣|付|充|冲|花)了?[两二三四五2-5几]次(?:钱)?"
_BARE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "扣了两次45", "付了3次 每笔二十": the sum after a count of charges.
    ("digits", re.compile(rf"{_CHARGES}\s*({_AR}){_NOT_PRICE_AFTER}()()")),
    ("chinese", re.compile(rf"{_CHARGES}\s*({_CN_WITH_UNIT}){_NOT_PRICE_AFTER}()()")),
    # "328啊", "68呀": a number and a particle is a price named in passing.
    ("digits", re.compile(rf"(?<![a-z0-9.,:#])({_AR})(?:啊|呀|哦|呢|嘛)()()")),
    # "一百五十八", "两百多": a Chinese number with 百 or 千 stands for money in a shop chat.
    ("chinese", re.compile(rf"(?<![{_CN_DIGIT}十百千万第])([{_CN_DIGIT}]*[{_CN_DIGIT}][百千]"
                           rf"[{_CN_DIGIT}十百千]*)多?{_NOT_PRICE_AFTER}()()")),
)
# "三个二十": three charges of twenty.
_TIMES = re.compile(rf"(?<![\d{_CN_DIGIT}十百千万])([2-9两二三四五六七八九])个"
                    rf"(\d{{1,4}}|[{_CN_DIGIT}]?十[{_CN_DIGIT}]?|[{_CN_DIGIT}]百[{_CN_DIGIT}十]*)"
                    rf"{_NOT_PRICE_AFTER}")
MAX_AMOUNT_TEXT = 500  # an amount is said early; later text is logs and pastes
# No amount is written with more than a dozen numerals in a row: longer runs are cut
# before the rules run, so no rule rescans a run from every position (2,000 numerals
# took 170 ms).
_NUMERAL_RUN = re.compile(rf"[\d{_CN_DIGIT}十百千万,.]{{13,}}")
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


def _first(text: str, rules: tuple[tuple[str, re.Pattern[str]], ...]) -> float | None:
    """The amount the earliest match of any rule names."""
    best: tuple[int, float] | None = None
    for kind, rule in rules:
        m = rule.search(text)
        value = _amount_of(kind, m) if m else None
        if m and value is not None:
            start = m.start(1) if m.group(1) else m.start(3)
            if best is None or start < best[0]:
                best = (start, value)
    return best[1] if best else None


def _times(text: str) -> float | None:
    """"三个二十" -> 60: a count of equal sums."""
    m = _TIMES.search(text)
    if m is None:
        return None
    count, each = _number("digits" if m.group(1).isdigit() else "chinese", m.group(1)), \
        _number("digits" if m.group(2).isdigit() else "chinese", m.group(2))
    return round(count * each, 2) if count and each else None


def extract_amount(text: str) -> float | None:
    """The first amount of money in yuan (50元, ¥9.9, 五十块, 付了100, 328啊, 三个二十)."""
    text = _NUMERAL_RUN.sub(" ", prepare(text[:MAX_AMOUNT_TEXT]).lower())
    found = _first(text, _AMOUNT_RULES)
    if found is None:
        found = _times(text) or _first(text, _BARE_RULES)
    return found
