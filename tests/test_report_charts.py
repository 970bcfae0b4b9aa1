"""Charts: valid PNGs, Chinese labels drawn with a font that has them, English otherwise."""

from __future__ import annotations

import base64
import io
import re
import warnings
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image

from intents.match import Matcher
from tests.report_fixtures import ShopDb, make_shop_db
from tools.report import charts
from tools.report.command import build_report
from tools.report.fonts import SHIPPED, ChartFont, ascii_font, ascii_text, find_cjk_font
from tools.report.labels import L, Label
from tools.report.read import open_readonly, read_dataset
from tools.report.render import render_html
from tools.report.sections import Report

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, mini_matcher: Matcher) -> Report:
    shop: ShopDb = make_shop_db(tmp_path_factory.mktemp("shop"), mini_matcher)
    conn = open_readonly(shop.config.database)
    assert conn is not None
    return build_report(read_dataset(conn, shop.since, shop.until), shop.config, shop.now)


@pytest.fixture(scope="module")
def shipped() -> ChartFont:
    font = find_cjk_font(SHIPPED)
    assert font is not None and font.path == SHIPPED
    return font


def drawn(report: Report, font: ChartFont) -> dict[str, bytes]:
    """Render every chart, failing on any missing-glyph warning (a box where a glyph was)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        return charts.render_charts(report.figures, report.targets, font)


def titles(report: Report, font: ChartFont, name: str) -> list[str]:
    """The figure's title (if any) and every axes' title, as drawn."""
    figure = Figure()
    charts.CHARTS[name](figure, report.figures, font.text, report.targets)
    return [t for t in (figure.get_suptitle(), *(ax.get_title() for ax in figure.axes)) if t]


def test_the_shipped_font_covers_every_chart_label(shipped: ChartFont) -> None:
    missing = {k: v.zh for k, v in L.items() if not shipped.covers(v.zh)}
    assert missing == {}
    assert shipped.family == "Noto Sans CJK SC"


def test_charts_are_pngs_drawn_in_chinese_without_missing_glyphs(
        report: Report, shipped: ChartFont) -> None:
    pngs = drawn(report, shipped)
    assert sorted(pngs) == ["daily_volume", "eta", "first_reply", "self_service"]
    for png in pngs.values():
        assert png.startswith(PNG)
        assert Image.open(io.BytesIO(png)).size == (800, 420)
    assert titles(report, shipped, "daily_volume") == ["每日咨询量 (按级别)"]
    assert "首次回复时间分布" in titles(report, shipped, "first_reply")


def test_without_a_cjk_font_labels_fall_back_to_english(report: Report) -> None:
    plain = ascii_font()
    assert not plain.covers("工单")
    pngs = drawn(report, plain)  # DejaVu has no hanzi: any Chinese label would warn here
    assert all(png.startswith(PNG) for png in pngs.values())
    assert titles(report, plain, "daily_volume") == ["Daily volume by tier"]
    assert titles(report, plain, "eta") == ["Promised vs actual wait"]


def test_a_label_the_font_lacks_falls_back_per_label(shipped: ChartFont) -> None:
    assert shipped.text(Label("工单", "Tickets")) == "工单"
    assert shipped.text(Label("龘龘", "Dragons")) == "Dragons"  # not a level-1 hanzi
    assert shipped.text("小王") == "小王"
    assert ascii_font().text("小王") == "xiao wang"
    assert ascii_text("客服 A") == "ke fu A"


def test_no_font_found_means_none(tmp_path: Path) -> None:
    found = find_cjk_font(tmp_path / "absent.otf")
    # This machine may have a CJK font of its own; then it must really have the glyphs.
    assert found is None or found.covers("工单回复时间")


def test_html_embeds_every_chart_as_a_png(report: Report, shipped: ChartFont) -> None:
    pngs = drawn(report, shipped)
    page = render_html(report, pngs)
    embedded = re.findall(r'<figure id="chart-(\w+)"><img alt="[^"]+" '
                          r'src="data:image/png;base64,([A-Za-z0-9+/=]+)">', page)
    assert [name for name, _ in embedded] == list(pngs)
    assert all(base64.b64decode(data) == pngs[name] for name, data in embedded)
    assert "<h2>FAQ 缺口 / FAQ gaps</h2>" in page


def test_html_escapes_what_buyers_wrote(report: Report) -> None:
    from dataclasses import replace

    from tools.report.gaps import Gap

    evil = Gap("<script>alert(1)</script>", 3, 2, 3, 0,
               ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"))
    page = render_html(replace(report, gaps=(evil,)), {})
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page
