"""The report as text, JSON or one self-contained HTML page (charts embedded as base64)."""

from __future__ import annotations

import base64
import html
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict

from tools.report.labels import CHART_TITLES
from tools.report.sections import Cell, Report, Section, sections

NO_DATA = "还没有数据 / no data yet"


def width(text: str) -> int:
    """Columns a string takes in a terminal (hanzi and full-width forms take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(value: Cell) -> str:
    """A table cell as text; missing values as -."""
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_table(s: Section) -> str:
    """A section as aligned plain text."""
    rows = [tuple(cell(c) for c in r) for r in s.rows]
    head = [h for h in s.headers]
    cols = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [f"== {s.title} =="]
    for r in ([head] if any(head) else []) + rows:
        lines.append("  " + "  ".join(v + " " * (cols[i] - width(v))
                                      for i, v in enumerate(r)).rstrip())
    if not rows:
        lines.append("  (无 / none)")
    if s.note:
        lines.append(f"  ({s.note})")
    return "\n".join(lines)


def render_text(r: Report) -> str:
    """The whole report for a terminal."""
    head = f"kefu 报告 / report  {r.period}"
    return "\n\n".join([head, *(text_table(s) for s in sections(r))]) + "\n"


def render_json(r: Report) -> str:
    """Figures and gaps as one JSON object (raw chart samples left out)."""
    figures = asdict(r.figures)
    figures.pop("series")
    period = {"since": r.since.isoformat(), "until": r.until.isoformat(), "timezone": r.tz}
    return json.dumps({"period": period, "figures": figures, "faq_gaps": gaps_json(r)},
                      ensure_ascii=False, indent=2) + "\n"


def gaps_json(r: Report) -> list[dict]:
    """The FAQ gaps as JSON-ready dicts, with the nearest intent spelled out."""
    return [dict(asdict(g), nearest=g.nearest) for g in r.gaps]


def html_table(s: Section) -> str:
    """A section as an HTML table; every value escaped (buyer text included)."""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in s.headers) if any(s.headers) else ""
    body = "".join("<tr>" + "".join(f"<td>{esc(cell(c))}</td>" for c in row) + "</tr>"
                   for row in s.rows) or '<tr><td>无 / none</td></tr>'
    note = f"<p class=note>{esc(s.note)}</p>" if s.note else ""
    return (f"<section><h2>{esc(s.title)}</h2><table>"
            f"{'<tr>' + head + '</tr>' if head else ''}{body}</table>{note}</section>")


def chart_figure(name: str, png: bytes) -> str:
    """One chart as an embedded image."""
    label = CHART_TITLES.get(name)
    alt = f"{label.zh} / {label.en}" if label else name
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure id="chart-{name}"><img alt="{html.escape(alt)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(alt)}</figcaption>'
            "</figure>")


_STYLE = ("body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',"
          "sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;"
          "padding:.25em .6em;text-align:left}th{background:#f4f4f4}.note{color:#666;"
          "font-size:.9em}img{max-width:100%}figure{margin:1em 0}")


def render_html(r: Report, charts: Mapping[str, bytes]) -> str:
    """One page: the charts, then every table."""
    title = f"kefu 报告 / report {r.period}"
    body = "".join(chart_figure(n, png) for n, png in charts.items())
    body += "".join(html_table(s) for s in sections(r))
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>\n")


def no_data_html(message: str) -> str:
    """A page that says there is nothing to report yet."""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>kefu</title>'
            f"</head><body><p>{html.escape(message)}</p></body></html>\n")
