"""Keep secrets out of logs: card codes and the bot token are masked in every record.

A logging.Filter on the root logger's handlers sees every record that reaches a
log file or the terminal, including httpx's request lines, whose URLs carry the
token. Order numbers stay readable: agents search the logs by them.
"""

from __future__ import annotations

import logging
import re

from intents.extract import DEFAULT_ORDER_PATTERN

TOKEN_MASK = "[token]"
KEEP = 4  # characters of a card code left readable, so an agent can tell two codes apart
# A bot token: the bot's numeric id, a colon, a 35-character secret (30+ to be safe).
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
# Card codes: one run of 12+ letters and digits mixing both (lookarounds, not \b: in Chinese
# text "卡密ABCD..." has no word boundary); 3+ dash-joined groups of 4+ with a digit or in
# capitals (ABCD-EFGH-1234); or 3+ space-joined groups of 4-6 capitals and digits mixing
# both (ABCD 1234 EFGH).
_RUN = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)"
                  r"[A-Za-z0-9]{12,}(?![A-Za-z0-9])")
_DASHED = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]{4,}(?:-[A-Za-z0-9]{4,}){2,}(?![A-Za-z0-9-])")
_SPACED = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{4,6}(?: [A-Z0-9]{4,6}){2,}(?![A-Za-z0-9])")
# Digits alone are a code where a code is named ("移动充值卡密码 123456789012345678",
# "骏网卡号: 1234 5678 9012", "pin 88886666"), even when order-shaped: the word right
# before says what they are. A bare run of 15+ digits is a code unless it matches the
# order pattern: order numbers can be digits alone too, and agents search logs by them.
_KEYED = re.compile(r"(?i)(?:卡密|密码|卡号|充值码|兑换码|(?<![a-z])(?:code|pin|cdk|cdkey))"
                    r"(?:\s*(?:[:：=]|是|为)?\s*)"
                    r"(?<![0-9])(\d{4,}(?:[ -]\d{3,}){0,5}|\d{6,})(?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"(?<![A-Za-z0-9])\d{15,}(?![A-Za-z0-9])")
MIN_KEYED = 6  # a named code shorter than this is a counter or a price, not a secret


def _hide(secret: str) -> str:
    """Star every letter and digit but the last KEEP, keeping separators."""
    shown = set([i for i, c in enumerate(secret) if c.isalnum()][-KEEP:])
    return "".join("*" if c.isalnum() and i not in shown else c for i, c in enumerate(secret))


class SecretMasker:
    """Masks the token and card codes in text; leaves order numbers as they are."""

    def __init__(self, token: str | None = None, order_pattern: str = DEFAULT_ORDER_PATTERN
                 ) -> None:
        self.token = (token or "").strip()
        self.order = re.compile(order_pattern)

    def __call__(self, text: str) -> str:
        """The text with secrets masked."""
        if len(self.token) >= 8:  # an empty or tiny value would mask noise
            text = text.replace(self.token, TOKEN_MASK)
        text = _TOKEN.sub(TOKEN_MASK, text)
        text = _DASHED.sub(self._dashed, text)
        text = _SPACED.sub(self._spaced, text)
        text = _KEYED.sub(self._keyed, text)
        text = _LONG_DIGITS.sub(self._run, text)
        return _RUN.sub(self._run, text)

    def _dashed(self, match: re.Match[str]) -> str:
        # Dashed words ("python-telegram-bot") stay; digits or all capitals look like a code.
        code = re.search(r"\d", match[0]) or match[0].isupper()
        return _hide(match[0]) if code else match[0]

    def _spaced(self, match: re.Match[str]) -> str:
        joined = match[0].replace(" ", "")
        mixed = re.search(r"\d", joined) and re.search(r"[A-Z]", joined)
        # An order number pasted in groups ("KM2024 1122 1530 123456") stays readable.
        return _hide(match[0]) if mixed and not self._is_order(joined) else match[0]

    def _keyed(self, match: re.Match[str]) -> str:
        code = match[1]
        digits = re.sub(r"\D", "", code)
        if len(digits) < MIN_KEYED:
            return match[0]
        return match[0][:match.start(1) - match.start(0)] + _hide(code)

    def _run(self, match: re.Match[str]) -> str:
        return match[0] if self._is_order(match[0]) else _hide(match[0])

    def _is_order(self, text: str) -> bool:
        return self.order.fullmatch(text.upper()) is not None


class SecretFilter(logging.Filter):
    """Rewrites each record's message (args merged in) and traceback with secrets masked."""

    def __init__(self, masker: SecretMasker) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask, then let the record through."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed %-format: mask what is there
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.masker(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.masker(record.exc_text)
        if record.stack_info:
            record.stack_info = self.masker(record.stack_info)
        return True


def install(token: str | None, order_pattern: str = DEFAULT_ORDER_PATTERN,
            logger: logging.Logger | None = None) -> SecretFilter:
    """Put the filter on every handler of the root logger, replacing an earlier one."""
    secret_filter = SecretFilter(SecretMasker(token, order_pattern))
    for handler in (logger or logging.getLogger()).handlers:
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(secret_filter)
    return secret_filter
