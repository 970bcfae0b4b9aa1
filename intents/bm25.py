"""A small BM25 index over weighted feature lists.

Scores are normalised by the query's own weight (its "coverage"), so a
score near 1 means the document explains everything informative in the
query, and words the FAQ has never seen pull the score down.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

K1 = 1.2
B = 0.5  # FAQ examples are short and similar in length: length matters little


@dataclass(frozen=True)
class Bm25:
    """Postings with precomputed per-document BM25 weights."""

    postings: dict[str, tuple[tuple[int, float], ...]]
    idf: dict[str, float]
    unseen_idf: float
    size: int

    def scores(self, query: Sequence[str], weight: Callable[[str], float]) -> dict[int, float]:
        """Coverage score per matching document id (0..~1)."""
        acc: dict[int, float] = defaultdict(float)
        total = 0.0
        for feat, count in Counter(query).items():
            qw = weight(feat) * min(count, 2)
            total += qw * self.idf.get(feat, self.unseen_idf)
            for doc, w in self.postings.get(feat, ()):
                acc[doc] += qw * w
        if total <= 0:
            return {}
        return {doc: s / total for doc, s in acc.items()}


def build_bm25(docs: Sequence[Sequence[str]]) -> Bm25:
    """Index documents given as feature lists; ids are list positions."""
    n = len(docs)
    avgdl = (sum(len(d) for d in docs) / n) if n else 1.0
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    idf = {f: math.log(1 + (n - c + 0.5) / (c + 0.5)) for f, c in df.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for doc_id, doc in enumerate(docs):
        norm = K1 * (1 - B + B * len(doc) / (avgdl or 1.0))
        for feat, tf in Counter(doc).items():
            tf = min(tf, 2)
            postings[feat].append((doc_id, idf[feat] * tf * (K1 + 1) / (tf + norm)))
    return Bm25(
        postings={f: tuple(p) for f, p in postings.items()},
        idf=idf,
        unseen_idf=math.log(1 + (n + 0.5) / 0.5),
        size=n,
    )
