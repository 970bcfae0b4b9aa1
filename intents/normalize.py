"""Turn text as buyers type it into one canonical form for matching.

Full-width -> half-width, traditional -> simplified, lower case, emoji and
punctuation -> spaces, long digit runs -> a placeholder, then the domain's
typo/homophone table (卡米 -> 卡密). Pure: the table is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import zhconv

MAX_CHARS = 300  # longer messages are cut: the gist of a complaint is in its first lines
ORDER_TOKEN = "订单号"
DATA_DIR = Path(__file__).parent / "data"

# Order numbers, phone numbers and the like carry no intent by their digits,
# only by their presence, so they collapse to one token the examples share.
_LONG_NUMBER = re.compile(r"[a-z]{0,4}\d[\d\s\-]{6,}\d")
# Sums of money say how much, not what happened: "花了五十块" and "付了98元" read alike.
_MONEY = re.compile(r"(?:花了|付了|充了|扣了)?\s*"
                    r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)\s*(?:块钱?|元)(?!宝)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Synonyms:
    """A variant -> canonical table applied longest variant first."""

    table: tuple[tuple[str, str], ...]
    pattern: re.Pattern[str] | None

    def apply(self, text: str) -> str:
        """Replace every known variant with its canonical form."""
        if self.pattern is None:
            return text
        lookup = dict(self.table)
        return self.pattern.sub(lambda m: lookup[m.group(0)], text)


def build_synonyms(pairs: list[tuple[str, str]]) -> Synonyms:
    """Compile a synonym table; variants are pre-normalised like the text they meet."""
    cleaned = {_basic(v): c for v, c in pairs if _basic(v) and _basic(v) != c}
    ordered = tuple(sorted(cleaned.items(), key=lambda p: -len(p[0])))
    if not ordered:
        return Synonyms((), None)
    ascii_alt = "|".join(re.escape(v) for v, _ in ordered if v.isascii())
    other_alt = "|".join(re.escape(v) for v, _ in ordered if not v.isascii())
    # ASCII variants (tk, kf) only count as whole words, or "tk" would fire inside "stkey".
    parts = [rf"(?<![a-z0-9])(?:{ascii_alt})(?![a-z0-9])" if ascii_alt else "", other_alt]
    return Synonyms(ordered, re.compile("|".join(p for p in parts if p)))


def load_synonyms(path: Path | None = None) -> Synonyms:
    """Read a `variant<TAB>canonical` file (# comments allowed)."""
    path = path or DATA_DIR / "synonyms.tsv"
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.startswith("#") else ""
        parts = [p.strip() for p in re.split(r"\t+|\s{2,}", line) if p.strip()]
        if len(parts) >= 2:
            pairs.append((parts[0], parts[1]))
    return build_synonyms(pairs)


def to_halfwidth(text: str) -> str:
    """Full-width digits/letters/punctuation to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def _basic(text: str) -> str:
    """Width, script and case folding shared by texts and table entries."""
    text = zhconv.convert(to_halfwidth(text[:MAX_CHARS]), "zh-cn")
    text = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return _SPACES.sub(" ", text).strip()


def normalize(text: str, synonyms: Synonyms) -> str:
    """Canonical matching form of a raw message; never raises on any str."""
    text = _basic(text)
    text = _LONG_NUMBER.sub(f" {ORDER_TOKEN} ", text)
    text = _MONEY.sub(" ", text)
    text = synonyms.apply(text)
    return _SPACES.sub(" ", text).strip()
