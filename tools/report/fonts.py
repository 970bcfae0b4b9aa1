"""A font that has the chart labels' Chinese glyphs, or readable ASCII labels instead.

matplotlib's bundled DejaVu Sans has no CJK glyphs and draws empty boxes for them. kefu ships
a subset of Noto Sans CJK SC (fonts/, SIL OFL 1.1: the 3,755 common hanzi of GB2312 level 1
and every character the report's labels use); a CJK font installed on the machine is the
second choice. A label is drawn in Chinese only when the font has every one of its glyphs;
otherwise its English text (or, for names, pinyin) is drawn: never boxes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from pypinyin import lazy_pinyin

from tools.report.labels import Label

logger = logging.getLogger(__name__)

SHIPPED = Path(__file__).parent / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
PROBE = "工单回复时间"  # a system font counts as CJK when it has all of these


@dataclass(frozen=True)
class ChartFont:
    """The font charts are drawn in: a file path and matplotlib's name for it."""

    path: Path
    family: str

    def covers(self, text: str) -> bool:
        """Whether every character of text has a glyph in this font."""
        return all(ord(c) in _charmap(str(self.path)) for c in text if not c.isspace())

    def text(self, label: Label | str) -> str:
        """The label as it can be drawn: Chinese if covered, else English or pinyin."""
        zh, en = (label.zh, label.en) if isinstance(label, Label) else (label, "")
        if self.covers(zh):
            return zh
        return en or ascii_text(zh)


@cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def ascii_text(text: str) -> str:
    """Pinyin for hanzi, other characters kept when ASCII (小王 → xiao wang)."""
    out = " ".join(p.strip() for p in lazy_pinyin(text) if p.strip())
    return "".join(c if c.isascii() else "?" for c in out).strip()


@cache
def find_cjk_font(shipped: Path = SHIPPED) -> ChartFont | None:
    """The shipped subset if present, else an installed font with CJK glyphs, else None."""
    candidates = [shipped] if shipped.is_file() else []
    candidates += sorted(Path(f.fname) for f in font_manager.fontManager.ttflist
                         if Path(f.fname).suffix.lower() in (".otf", ".ttf", ".ttc"))
    for path in candidates:
        try:
            if all(ord(c) in _charmap(str(path)) for c in PROBE):
                font_manager.fontManager.addfont(str(path))
                family = font_manager.FontProperties(fname=str(path)).get_name()
                return ChartFont(path, family)
        except (OSError, RuntimeError):
            logger.debug("cannot read font %s", path)
    logger.info("no CJK font found: chart labels fall back to English")
    return None


def ascii_font() -> ChartFont:
    """matplotlib's DejaVu Sans: no hanzi, so every label is drawn in English or pinyin."""
    path = Path(font_manager.findfont("DejaVu Sans"))
    return ChartFont(path, "DejaVu Sans")
