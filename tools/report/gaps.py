"""FAQ gaps: what buyers asked that the bot did not understand, grouped by similarity.

Messages are compared on two keys, both after the matcher's normalisation (卡米 → 卡密,
traditional → simplified): their content words (jieba, minus particles and question words,
so 会员怎么开通 and 开通会员 meet) and their characters (so 今天天气 and 明天天气 meet).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from intents.normalize import Synonyms, load_synonyms, normalize
from intents.tokenize import words
from tools.report.sessions import CLARIFY, FALLBACK, Turn

SIMILAR = 70  # rapidfuzz score (0-100) at which two messages count as one question
MAX_EXAMPLES = 5
# Grouping compares each wording with every group so far; past this many distinct wordings
# (most frequent first) the rest are one-offs a FAQ gains little from.
MAX_WORDINGS = 2_000
# Words that ask rather than say what about: without them 怎么开通会员 = 会员开通.
QUESTION_WORDS = frozenset(("怎么", "怎么样", "怎样", "咋", "啥", "什么", "为什么", "如何", "可以",
                           "能", "能不能", "可不可以", "请问", "你们", "一下", "吗", "呢", "没有"))


# Order numbers (letters then a long digit run, or digits alone) and amounts (¥30, 30元,
# 12.5块, 两位数 digits): left out of the grouping keys.
_FIGURES = re.compile(r"[A-Za-z]{0,4}\d{6,}|[¥￥$]?\d+(?:\.\d+)?\s*(?:元|块钱|块|rmb|RMB|¥)?")


@dataclass(frozen=True)
class Gap:
    """One group of similar messages the bot fell back on or had to clarify."""

    text: str  # the most frequent wording
    count: int
    buyers: int
    fallback: int
    clarify: int
    examples: tuple[str, ...]
    offered: dict[str, int] = field(default_factory=dict)  # intents a clarify offered

    @property
    def nearest(self) -> str | None:
        """The intent clarify offered most: these words may belong in its examples."""
        return max(self.offered, key=lambda i: (self.offered[i], i)) if self.offered else None


@dataclass(frozen=True)
class _Key:
    words: str
    chars: str


def _key(text: str, synonyms: Synonyms) -> _Key:
    # An order number or an amount says which order, not what about: two unrelated
    # questions quoting the same order must not meet, nor one question differ by its number.
    norm = normalize(_FIGURES.sub(" ", text), synonyms).strip()
    content = sorted({w for w in words(norm) if w not in QUESTION_WORDS})
    return _Key(" ".join(content) or norm, norm.replace(" ", ""))


def faq_gaps(turns: Iterable[Turn], synonyms: Synonyms | None = None,
             similar: int = SIMILAR) -> list[Gap]:
    """Group fallback and clarify messages by similarity, biggest group first."""
    synonyms = synonyms or load_synonyms()
    by_text: dict[str, list[Turn]] = defaultdict(list)
    for t in turns:
        if t.decision in (FALLBACK, CLARIFY):
            by_text[t.text.strip()].append(t)
    ranked = sorted(by_text, key=lambda x: (-len(by_text[x]), len(x), x))[:MAX_WORDINGS]
    groups: list[list[str]] = []
    leaders = _Leaders([], [])
    for text in ranked:
        key = _key(text, synonyms)
        if not key.chars:
            continue  # emoji or punctuation alone: no words to learn from
        found = leaders.closest(key, similar)
        if found is None:
            groups.append([text])
            leaders.add(key)
        else:
            groups[found].append(text)
    gaps = [_gap(g, by_text) for g in groups]
    return sorted(gaps, key=lambda g: (-g.count, -g.buyers, g.text))


@dataclass(frozen=True)
class _Leaders:
    """The first wording of each group, as the two keys rapidfuzz compares."""

    words: list[str]
    chars: list[str]

    def add(self, key: _Key) -> None:
        self.words.append(key.words)
        self.chars.append(key.chars)

    def closest(self, key: _Key, similar: int) -> int | None:
        """The index of the most similar leader scoring at least `similar`."""
        hits = [process.extractOne(key.words, self.words, scorer=fuzz.token_set_ratio,
                                   score_cutoff=similar),
                process.extractOne(key.chars, self.chars, scorer=fuzz.ratio,
                                   score_cutoff=similar)]
        best = max((h for h in hits if h), key=lambda h: h[1], default=None)
        return best[2] if best else None


def _gap(texts: list[str], by_text: Mapping[str, list[Turn]]) -> Gap:
    turns = [t for text in texts for t in by_text[text]]
    offered = Counter(i for t in turns for i in t.offered)
    return Gap(texts[0], len(turns), len({t.user_id for t in turns}),
               sum(t.decision == FALLBACK for t in turns),
               sum(t.decision == CLARIFY for t in turns),
               tuple(texts[:MAX_EXAMPLES]), dict(offered.most_common()))


def yaml_stubs(gaps: Iterable[Gap], period: str, labels: Mapping[str, str] | None = None
               ) -> str:
    """faq.yaml intent stubs, one per gap, ready to paste under `intents:`."""
    labels = labels or {}
    lines = [f"# FAQ gaps, {period}: paste under `intents:` in faq.yaml, write each answer,",
             "# rename the ids, then run `kefu faq check` (it flags any answer left empty).", ""]
    for n, g in enumerate(gaps, 1):
        lines += [f"# {g.count} 条消息 / messages from {g.buyers} 位买家 / buyers "
                  f"(没听懂 fallback {g.fallback}, 反问 clarify {g.clarify})"]
        if g.nearest:
            lines.append(f"# 或把例句加到 / or add the examples to: {g.nearest} "
                         f"({labels.get(g.nearest, g.nearest)})")
        lines += [f"- id: gap_{n:02d}", f"  title: {_quote(g.text[:20])}", "  action: answer",
                  '  answer: ""  # TODO: 写给买家的回答 / the answer buyers should get',
                  "  examples:", *(f"  - {_quote(x)}" for x in g.examples), ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no YAML syntax in buyer text leaks.
    return json.dumps(" ".join(text.split()), ensure_ascii=False)
