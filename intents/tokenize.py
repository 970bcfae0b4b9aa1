"""Split normalised text into the features the matcher indexes.

Words come from jieba with the domain dictionary; character 1-2-grams catch
what jieba splits differently; pinyin bigrams catch homophone typos the
synonym table has never seen (卡咪 ~ 卡密).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from itertools import pairwise
from pathlib import Path

# Only single characters are ever looked up, so pypinyin's phrase dictionary (about 45 MB
# of RAM) is never needed. This must be set before pypinyin is first imported.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")

import jieba
from pypinyin import lazy_pinyin

from intents.normalize import DATA_DIR

logger = logging.getLogger(__name__)

# Particles that say nothing about what the buyer needs.
STOP_CHARS = frozenset("的了吗呢啊吧呀哦哈嘛么是我你他她它在有就也都还和与及把被给这那个一")
jieba.setLogLevel(logging.WARNING)


@cache
def stop_words(path: Path | None = None) -> frozenset[str]:
    """Particles plus the English function words of the data file (# comments)."""
    text = (path or DATA_DIR / "stopwords.txt").read_text(encoding="utf-8")
    english = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return STOP_CHARS | frozenset(w for w in english if w)


@cache
def tokenizer(userdict: Path | None = None) -> jieba.Tokenizer:
    """The process-wide jieba tokenizer with the domain dictionary (built once)."""
    # jieba's commonest 100,000 words (scripts/make_jieba_dict.py): 45 MB less RAM.
    tok = jieba.Tokenizer(dictionary=str(DATA_DIR / "jieba_dict.txt"))
    tok.initialize()
    tok.load_userdict(str(userdict or DATA_DIR / "userdict.txt"))
    return tok


def words(text: str, tok: jieba.Tokenizer | None = None) -> list[str]:
    """jieba words of normalised text, spaces and lone particles dropped."""
    tok = tok or tokenizer()
    drop = stop_words()
    return [w for w in tok.lcut(text, HMM=True) if w.strip() and w not in drop]


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def char_grams(text: str) -> list[str]:
    """CJK character unigrams (minus particles) and bigrams within each run."""
    grams: list[str] = []
    for run in text.split():
        cjk = [c for c in run if _is_cjk(c)]
        grams.extend(f"c:{c}" for c in cjk if c not in STOP_CHARS)
        grams.extend(f"b:{a}{b}" for a, b in pairwise(cjk))
    return grams


@cache
def _syllable(ch: str) -> str:
    # One reading per character, context-free: the same for FAQ and message, and cached,
    # because pypinyin's phrase lookup cost more than the rest of matching together.
    return lazy_pinyin(ch)[0]


def pinyin_grams(text: str) -> list[str]:
    """Toneless pinyin bigrams of each CJK run."""
    grams: list[str] = []
    for run in text.split():
        syllables = [_syllable(c) for c in run if _is_cjk(c)]
        grams.extend(f"p:{a}_{b}" for a, b in pairwise(syllables))
    return grams


def features(text: str, tok: jieba.Tokenizer | None = None) -> list[str]:
    """All indexed features of one normalised text."""
    ws = words(text, tok)
    return [f"w:{w}" for w in ws] + char_grams(text) + pinyin_grams(text)
