"""Write intents/data/jieba_dict.txt: jieba's own dictionary cut to its 100,000 commonest words.

jieba's full dictionary (349,046 words) costs about 45 MB of RAM as Python dicts, a third
of kefu's memory budget. Buyers' messages use everyday words; the rare ones fall back to
jieba's HMM, and character n-grams and pinyin still see them. Measured on dev.jsonl:
accuracy 0.945 with the full dictionary, 0.9425 with this one; 100 MB instead of 145 MB
for the matcher plus python-telegram-bot. Run again after upgrading jieba.
"""

from __future__ import annotations

from pathlib import Path

import jieba

KEEP = 100_000
OUT = Path(__file__).resolve().parent.parent / "intents" / "data" / "jieba_dict.txt"


def main() -> None:
    """Keep the commonest words, ties broken by the word, so the file is reproducible."""
    source = Path(jieba.__file__).parent / "dict.txt"
    rows = [line.split() for line in source.read_text(encoding="utf-8").splitlines() if line]
    rows.sort(key=lambda r: (-int(r[1]), r[0]))
    OUT.write_text("".join(" ".join(r) + "\n" for r in rows[:KEEP]), encoding="utf-8")
    print(f"{OUT}: {min(KEEP, len(rows))} of {len(rows)} words")


if __name__ == "__main__":
    main()
