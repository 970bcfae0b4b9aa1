"""A small BM25 index over weighted feature lists, optionally split into groups.

Scores are normalised by the query's own weight (its "coverage"), so a
score near 1 means the document explains everything informative in the
query, and words the FAQ has never seen pull the score down. Groups (one
per intent) let a caller score only the documents of a shortlist, which
keeps latency flat as the FAQ grows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

K1 = 1.2
B = 0.5  # FAQ examples are short and similar in length: length matters little

Posting = tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Bm25:
    """Postings per feature, then per group, with precomputed BM25 weights."""

    postings: dict[str, dict[int, Posting]]
    idf: dict[str, float]
    unseen_idf: float

    def scores(self, query: Sequence[str], weight: Callable[[str], float],
               groups: Iterable[int] = (0,)) -> dict[int, float]:
        """Coverage score (0..~1) per matching document of the given groups."""
        weighted = [(f, weight(f) * min(c, 2)) for f, c in Counter(query).items()]
        total = sum(qw * self.idf.get(f, self.unseen_idf) for f, qw in weighted)
        if total <= 0:
            return {}
        acc: dict[int, float] = defaultdict(float)
        groups = tuple(groups)
        for feat, qw in weighted:
            by_group = self.postings.get(feat)
            for group in groups if by_group else ():
                for doc, w in by_group.get(group, ()):
                    acc[doc] += qw * w
        return {doc: s / total for doc, s in acc.items()}


def build_bm25(docs: Sequence[Sequence[str]], groups: Sequence[int] | None = None) -> Bm25:
    """Index documents given as feature lists; ids are list positions, groups default to 0."""
    n = len(docs)
    avgdl = (sum(len(d) for d in docs) / n) if n else 1.0
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    idf = {f: math.log(1 + (n - c + 0.5) / (c + 0.5)) for f, c in df.items()}
    postings: dict[str, dict[int, list[tuple[int, float]]]] = defaultdict(dict)
    for doc_id, doc in enumerate(docs):
        group = groups[doc_id] if groups is not None else 0
        norm = K1 * (1 - B + B * len(doc) / (avgdl or 1.0))
        for feat, tf in Counter(doc).items():
            tf = min(tf, 2)
            weight = idf[feat] * tf * (K1 + 1) / (tf + norm)
            postings[feat].setdefault(group, []).append((doc_id, weight))
    return Bm25(
        postings={f: {g: tuple(p) for g, p in by_g.items()} for f, by_g in postings.items()},
        idf=idf,
        unseen_idf=math.log(1 + (n + 0.5) / 0.5),
    )
