"""The report's charts as PNG bytes (matplotlib's object API: no global pyplot state)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from datetime import date

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tools.report.figures import Figures
from tools.report.fonts import ChartFont, ascii_font, find_cjk_font
from tools.report.labels import L, Label
from tools.report.volume import TIERS

logging.getLogger("matplotlib").setLevel(logging.WARNING)  # no per-chart INFO chatter

MAX_TICKS = 12  # day labels on an axis
BINS = 12
COLORS = {"bot": "#59a14f", "left": "#bab0ac", "B": "#76b7b2", "A": "#f28e2b", "S": "#e15759"}
Draw = Callable[[Figure, Figures, Callable[[Label | str], str], Mapping[str, float]], None]


def render_charts(fig: Figures, targets: Mapping[str, float],
                  font: ChartFont | None = None) -> dict[str, bytes]:
    """Every chart as PNG bytes, keyed by file stem; font None finds a CJK one."""
    font = font or find_cjk_font() or ascii_font()
    out = {}
    with rc_context({"font.family": [font.family, "DejaVu Sans"], "axes.unicode_minus": False}):
        for name, draw in CHARTS.items():
            figure = Figure(figsize=(8, 4.2), dpi=100, layout="constrained")
            draw(figure, fig, font.text, targets)
            buf = io.BytesIO()
            figure.savefig(buf, format="png")
            out[name] = buf.getvalue()
    return out


def _day_axis(ax: Axes, days: list[str]) -> list[int]:
    """Positions 0..n-1 for the days, labelled MM-DD, at most MAX_TICKS labels."""
    step = max(1, -(-len(days) // MAX_TICKS))
    ticks = list(range(0, len(days), step))
    ax.set_xticks(ticks, [date.fromisoformat(days[i]).strftime("%m-%d") for i in ticks])
    return list(range(len(days)))


def daily_volume(figure: Figure, fig: Figures, t: Callable, targets: Mapping[str, float]) -> None:
    """Stacked bars per day: conversations the bot settled, then tickets by tier."""
    ax = figure.subplots()
    days = fig.volume.by_day
    x = _day_axis(ax, [d.day for d in days])
    bottom = [0] * len(days)
    layers = [("bot", t(L["bot"]), [d.bot_settled for d in days]),
              ("left", t(L["left"]), [d.left for d in days])]
    layers += [(tier, t(L["tier"]).format(tier), [d.tickets.get(tier, 0) for d in days])
               for tier in reversed(TIERS)]
    for key, name, values in layers:
        ax.bar(x, values, bottom=bottom, label=name, color=COLORS[key])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _frame(ax, t(L["volume"]), "", t(L["count"]))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="upper left", fontsize="small")  # as stacked


def first_reply(figure: Figure, fig: Figures, t: Callable, targets: Mapping[str, float]) -> None:
    """One histogram per tier with its first-reply target as a dashed line."""
    axes = figure.subplots(1, len(TIERS), sharey=True)
    figure.suptitle(t(L["first_reply"]))
    for ax, tier in zip(axes, TIERS, strict=True):
        _tier_hist(ax, tier, fig.series.first_reply.get(tier, []), targets.get(tier), t)


def _tier_hist(ax: Axes, tier: str, values: list[float], target: float | None,
               t: Callable) -> None:
    top = max([*values, target or 0, 1]) * 1.05
    if values:
        ax.hist(values, bins=[top * i / BINS for i in range(BINS + 1)], color=COLORS[tier])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.text(0.5, 0.5, t(L["none"]), ha="center", transform=ax.transAxes)
    if target is not None:
        ax.axvline(target, color="#333", linestyle="--", label=t(L["sla"]).format(f"{target:g}"))
        ax.legend(fontsize="x-small")
    ax.set_xlim(0, top)
    _frame(ax, t(L["tier"]).format(tier), t(L["minutes"]), t(L["tickets"]))


def eta(figure: Figure, fig: Figures, t: Callable, targets: Mapping[str, float]) -> None:
    """Each answered ticket: the wait first promised against the wait it really had."""
    ax = figure.subplots()
    pairs = fig.series.eta
    if pairs:
        ax.scatter([p for p, _ in pairs], [a for _, a in pairs], s=14, color="#4e79a7")
        top = max(max(p, a) for p, a in pairs) or 1
        ax.plot([0, top], [0, top], color="#333", linestyle="--", label=t(L["kept_line"]))
        ax.legend(fontsize="small")
    else:
        ax.text(0.5, 0.5, t(L["none"]), ha="center", transform=ax.transAxes)
    _frame(ax, t(L["eta"]), t(L["promised"]), t(L["actual"]))


def self_service(figure: Figure, fig: Figures, t: Callable, targets: Mapping[str, float]) -> None:
    """Share of each day's conversations the bot settled, against the 70 % benchmark."""
    ax = figure.subplots()
    days = [d for d in fig.volume.by_day if d.self_service is not None]
    ax.plot(_day_axis(ax, [d.day for d in days]), [d.self_service for d in days], marker="o",
            color=COLORS["bot"], label=t(L["share"]))
    ax.axhline(0.7, color="#333", linestyle="--", label=t(L["benchmark"]))
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(fontsize="small")
    _frame(ax, t(L["self_service"]), "", t(L["share"]))


def _frame(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


CHARTS: dict[str, Draw] = {"daily_volume": daily_volume, "first_reply": first_reply,
                           "eta": eta, "self_service": self_service}
