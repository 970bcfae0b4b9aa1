"""Make a buyer's message ready for extraction: cut to a ticket's first lines, one form
for full-width and traditional characters."""

from __future__ import annotations

import unicodedata

import zhconv

MAX_TEXT = 2000  # a ticket's details sit in the first lines; longer pastes are logs


def prepare(text: str) -> str:
    """Full-width to ASCII (ＫＭ２０２４ -> KM2024) and traditional to simplified (三百塊)."""
    return zhconv.convert(unicodedata.normalize("NFKC", text[:MAX_TEXT]), "zh-cn")
