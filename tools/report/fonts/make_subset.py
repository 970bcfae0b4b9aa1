"""Rebuild the shipped chart font subset (run by hand; not imported by kefu).

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    python tools/report/fonts/make_subset.py \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Keeps ASCII, GB2312's symbols and its 3,755 level-1 hanzi, and every character in the
report's modules, from face 2 (Noto Sans CJK SC) of the collection; outlines unhinted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).parent
OUT = HERE / "NotoSansCJKsc-Regular-subset.otf"
SC_FACE = 2


def gb2312(rows: range) -> str:
    """The characters of GB2312 rows (0xA1-0xA9 symbols, 0xB0-0xD7 level-1 hanzi)."""
    chars = []
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def wanted() -> str:
    """Every character the subset must draw."""
    labels = "".join(p.read_text(encoding="utf-8") for p in HERE.parent.glob("*.py"))
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    return ascii_ + gb2312(range(0xA1, 0xAA)) + gb2312(range(0xB0, 0xD8)) + labels


def main(source: str) -> None:
    """Write the subset next to this script."""
    font = TTCollection(source).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=wanted())
    subsetter.subset(font)
    font.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
