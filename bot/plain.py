"""Buyer text made safe to show to staff: one line, no direction overrides, no invisibles.

A buyer's newlines let their words pass for the card's own lines ("订单系统: … 本人订单"),
and a right-to-left override in a name reverses the rest of the card. Everything a buyer
wrote goes through `one_line` before it enters staff text.
"""

from __future__ import annotations

import re
import unicodedata

LINE_MARK = " ⏎ "  # where the buyer pressed Enter, shown inside their one line
# Bidi embeddings, overrides, isolates and marks: they reorder what follows them.
BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                 "\u2066\u2067\u2068\u2069")
_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_SPACES = re.compile(r"[^\S\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_KEEP_FORMAT = frozenset("\u200d")  # the zero-width joiner builds emoji (👨‍👩‍👧); harmless
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, format characters, lone halves


def _visible(ch: str) -> bool:
    """A character that shows as itself and cannot reorder or hide the text around it."""
    if ch in BIDI:
        return False
    return ch in _KEEP_FORMAT or unicodedata.category(ch) not in _DROP_CATEGORIES


def one_line(text: str, limit: int | None = None) -> str:
    """The text on one line: breaks shown as ⏎, bidi and other controls removed, spaces
    squeezed; cut to `limit` characters (with …) when given."""
    lines = [_SPACES.sub(" ", line).strip() for line in _BREAKS.split(text or "")]
    flat = LINE_MARK.join(kept for line in lines
                          if (kept := "".join(ch for ch in line if _visible(ch)).strip()))
    flat = _SPACES.sub(" ", flat)
    if limit is not None and len(flat) > limit:
        return flat[:max(limit - 1, 0)] + "…"
    return flat


def name(text: str, fallback: str) -> str:
    """A buyer's display name for staff: one short line, or the fallback when nothing is left."""
    return one_line(text, 64) or fallback
