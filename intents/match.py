"""Rank FAQ intents for a message.

Two BM25 views over jieba words, character 1-2-grams and pinyin bigrams:
each intent's examples pooled (which shortlists intents), and each example
of the shortlisted intents as a document; rapidfuzz then reranks the best
examples by surface similarity. The blend is a
score in 0..1 per intent; `intents.decide` turns it into a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import jieba
from rapidfuzz import fuzz

from intents.bm25 import Bm25, build_bm25
from intents.clauses import split_clauses, weight
from intents.faq import Faq, load_faq
from intents.mood import outburst
from intents.normalize import Synonyms, load_synonyms, normalize
from intents.tokenize import features, tokenizer

RERANK = 20
# Examples are scored only for the intents the pooled view ranks highest: on dev.jsonl the
# expected intent is always among the pooled top 6, and cost no longer grows with the FAQ.
SHORTLIST = 8
FEATURE_WEIGHTS = {"w": 1.0, "b": 0.8, "c": 0.35, "p": 0.3}
# Character unigrams help pool an intent's vocabulary but hold over half the postings of the
# example view, where words, bigrams and pinyin already pin an example down.
EXAMPLE_KINDS = frozenset("wbp")


@dataclass(frozen=True)
class Weights:
    """How the three signals blend into one intent score."""

    # Measured by 5-fold top-1 on faq.yaml and on dev.jsonl: pooling an intent's examples
    # generalises best, the single best example and surface similarity sharpen the choice.
    # Blends from 0.1/0.8/0.1 to 0.5/0.3/0.2 all landed within 2 points; this one is central.
    example: float = 0.3
    pooled: float = 0.5
    fuzzy: float = 0.2


@dataclass(frozen=True)
class Candidate:
    """One ranked intent with its score and the example that fit best."""

    intent: str
    score: float
    example: str = ""


@dataclass(frozen=True)
class Ranking:
    """Intents for one message, best first."""

    text: str
    candidates: tuple[Candidate, ...]
    parts: tuple[Ranking, ...] = ()  # one ranking per clause when the message has several

    @property
    def top(self) -> Candidate | None:
        """The best candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def margin(self) -> float:
        """Lead of the best score over the runner-up."""
        if not self.candidates:
            return 0.0
        second = self.candidates[1].score if len(self.candidates) > 1 else 0.0
        return self.candidates[0].score - second


def _feature_weight(feat: str) -> float:
    return FEATURE_WEIGHTS.get(feat[0], 1.0)


def _for_examples(feats: list[str]) -> list[str]:
    return [f for f in feats if f[0] in EXAMPLE_KINDS]


@dataclass(frozen=True)
class Matcher:
    """An index over one FAQ; build with `build_matcher`."""

    faq: Faq
    synonyms: Synonyms
    tok: jieba.Tokenizer
    doc_intent: tuple[str, ...]
    doc_text: tuple[str, ...]
    examples: Bm25
    pooled: Bm25
    weights: Weights = Weights()

    def normalize(self, text: str) -> str:
        """The matcher's view of a raw message."""
        return normalize(text, self.synonyms)

    def rank(self, text: str, limit: int = 5) -> Ranking:
        """Score every intent the message touches, best first; clause by clause if long."""
        norm = self.normalize(text)
        if not norm:
            return Ranking(norm, ())
        clauses = split_clauses(norm)
        clause_feats = [features(c, self.tok) for c in clauses]
        # Venting ("垃圾平台", "再不处理就去12315") says how the buyer feels, not what went
        # wrong: the whole message is ranked without it, unless it is all there is.
        calm = [i for i, c in enumerate(clauses) if not outburst(c)]
        if sum(weight(clauses[i]) for i in calm) < CALM_MIN_CHARS:
            calm = list(range(len(clauses)))  # "垃圾平台 骗钱 300块就这么没了": the venting is it
        whole = self._rank(" ".join(clauses[i] for i in calm),
                           [f for i in calm for f in clause_feats[i]], limit)
        whole = replace(whole, text=norm)
        if len(clauses) < 2:
            return whole
        parts = tuple(self._rank(c, fs, limit) for c, fs in zip(clauses, clause_feats,
                                                                 strict=True))
        return combine(whole, parts, limit)

    def _rank(self, norm: str, feats: list[str], limit: int) -> Ranking:
        """The ranking of one normalised text from its features."""
        pooled = self.pooled.scores(feats, _feature_weight)
        shortlist = sorted(pooled, key=pooled.__getitem__, reverse=True)[:SHORTLIST]
        per_doc = self.examples.scores(_for_examples(feats), _feature_weight, shortlist)
        per_intent = {self.faq.intents[i].id: score for i, score in pooled.items()}
        best: dict[str, tuple[float, str]] = {}
        top_docs = sorted(per_doc, key=per_doc.__getitem__, reverse=True)[:RERANK]
        for doc in top_docs:
            intent = self.doc_intent[doc]
            score = self._blend(norm, doc, per_doc[doc], per_intent.get(intent, 0.0))
            if score > best.get(intent, (-1.0, ""))[0]:
                best[intent] = (score, self.doc_text[doc])
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)[:limit]
        return Ranking(norm, tuple(Candidate(i, round(s, 4), ex) for i, (s, ex) in ranked))

    def _blend(self, norm: str, doc: int, example: float, pooled: float) -> float:
        surface = fuzz.ratio(norm, self.doc_text[doc]) / 100
        w = self.weights
        return w.example * min(example, 1.0) + w.pooled * min(pooled, 1.0) + w.fuzzy * surface


# Measured on dev.jsonl, heldout.jsonl and tune_long.jsonl (top-1 boosted from 0.5 to 1.0 of
# its clause lead, messages from 20 to 40 characters up): 0.7 from 30 characters halves long
# messages' fallback (tune 0.20 -> 0.06) and keeps confident-wrong on dev/heldout <= 0.01;
# letting a clause lift any intent, not just the whole message's first, made dev 0.87.
CLAUSE_BOOST = 0.7
CALM_MIN_CHARS = 10  # what is left without the venting must say something to be ranked alone
BOOST_FROM_CHARS = 30


def combine(whole: Ranking, parts: tuple[Ranking, ...], limit: int = 5) -> Ranking:
    """The whole message's ranking, its first intent lifted when a clause says it plainly.

    A long message's coverage score is diluted by everything else it says; the clause
    that states the problem scores as a short message would. Only the intent the whole
    message already ranks first is lifted, and only by a clause that ranks it first too:
    a stray clause ("帮我看看") must not pull another intent up.
    """
    top = whole.top
    if top is None or len(whole.text) < BOOST_FROM_CHARS:
        return replace(whole, parts=parts)
    lead = max((p.top.score - top.score for p in parts
                if p.top is not None and p.top.intent == top.intent), default=0.0)
    if lead <= 0:
        return replace(whole, parts=parts)
    lifted = replace(top, score=round(top.score + CLAUSE_BOOST * lead, 4))
    ranked = sorted((lifted, *whole.candidates[1:]), key=lambda c: -c.score)[:limit]
    return Ranking(whole.text, tuple(ranked), parts)


def build_matcher(faq: Faq, synonyms: Synonyms | None = None, userdict: Path | None = None,
                  weights: Weights | None = None) -> Matcher:
    """Index a FAQ: normalise and featurise every example once."""
    synonyms = synonyms or load_synonyms()
    tok = tokenizer(userdict)
    doc_intent: list[str] = []
    doc_group: list[int] = []
    doc_text: list[str] = []
    doc_feats: list[list[str]] = []
    pooled: list[list[str]] = []
    for group, intent in enumerate(faq.intents):
        bag: list[str] = []
        for example in intent.examples:
            norm = normalize(example, synonyms)
            feats = features(norm, tok)
            doc_intent.append(intent.id)
            doc_group.append(group)
            doc_text.append(norm)
            doc_feats.append(_for_examples(feats))
            bag.extend(feats)
        pooled.append(bag)
    return Matcher(faq, synonyms, tok, tuple(doc_intent), tuple(doc_text),
                   build_bm25(doc_feats, doc_group), build_bm25(pooled), weights or Weights())


def load_matcher(path: Path) -> Matcher:
    """Load a FAQ file and index it."""
    return build_matcher(load_faq(path))
