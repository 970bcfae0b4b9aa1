"""A small BM25 index over weighted feature lists, optionally split into groups.

Scores are normalised by the query's own weight (its "coverage"), so a
score near 1 means the document explains everything informative in the
query, and words the FAQ has never seen pull the score down. Groups (one
per intent) let a caller score only the documents of a shortlist.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.5  # FAQ examples are short and similar in length: length matters little


@dataclass(frozen=True)
class Bm25:
    """Postings of all features in one CSR layout: a query gathers its features' slices
    and sums them with one bincount, a handful of array calls however long it is."""

    feature_id: dict[str, int]
    indptr: np.ndarray  # int64, feature i's postings are [indptr[i], indptr[i + 1])
    docs: np.ndarray  # int32 document id of each posting
    weights: np.ndarray  # float64 BM25 weight of each posting
    idf: dict[str, float]
    unseen_idf: float
    doc_group: np.ndarray  # int32 group of each document

    def scores(self, query: Sequence[str], weight: Callable[[str], float],
               groups: Iterable[int] | None = None) -> dict[int, float]:
        """Coverage score (0..~1) per matching document, of the given groups if named."""
        weighted = [(f, weight(f) * min(c, 2)) for f, c in Counter(query).items()]
        total = sum(qw * self.idf.get(f, self.unseen_idf) for f, qw in weighted)
        known = [(self.feature_id[f], qw) for f, qw in weighted if f in self.feature_id]
        if total <= 0 or not known:
            return {}
        ids = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        qws = np.fromiter((w for _, w in known), dtype=np.float64, count=len(known))
        starts, lengths = self.indptr[ids], self.indptr[ids + 1] - self.indptr[ids]
        # Positions of every posting of every query feature, without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        at = offsets + np.arange(int(lengths.sum()))
        acc = np.bincount(self.docs[at], self.weights[at] * np.repeat(qws, lengths),
                          minlength=len(self.doc_group))
        if groups is not None:
            allowed = np.zeros(int(self.doc_group.max()) + 1, dtype=bool)
            allowed[[g for g in groups if 0 <= g < len(allowed)]] = True
            acc[~allowed[self.doc_group]] = 0.0
        found = np.flatnonzero(acc)
        return dict(zip(found.tolist(), (acc[found] / total).tolist(), strict=True))


def build_bm25(docs: Sequence[Sequence[str]], groups: Sequence[int] | None = None) -> Bm25:
    """Index documents given as feature lists; ids are list positions, groups default to 0."""
    n = len(docs)
    avgdl = (sum(len(d) for d in docs) / n) if n else 1.0
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    idf = {f: math.log(1 + (n - c + 0.5) / (c + 0.5)) for f, c in df.items()}
    lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for doc_id, doc in enumerate(docs):
        norm = K1 * (1 - B + B * len(doc) / (avgdl or 1.0))
        for feat, tf in Counter(doc).items():
            tf = min(tf, 2)
            ids, weights = lists[feat]
            ids.append(doc_id)
            weights.append(idf[feat] * tf * (K1 + 1) / (tf + norm))
    feats = list(lists)
    sizes = [len(lists[f][0]) for f in feats]
    return Bm25(
        feature_id={f: i for i, f in enumerate(feats)},
        indptr=np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64),
        docs=np.array([d for f in feats for d in lists[f][0]], dtype=np.int32),
        weights=np.array([w for f in feats for w in lists[f][1]], dtype=np.float64),
        idf=idf,
        unseen_idf=math.log(1 + (n + 0.5) / 0.5),
        doc_group=np.array(list(groups) if groups is not None else [0] * n, dtype=np.int32),
    )
