"""The report as titled tables, shared by the text and HTML renderings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tools.report.figures import Figures, Times
from tools.report.gaps import Gap

Cell = str | int | float | None
REASONS = {"ticket_intent": "工单类问题 / needs a person", "unsolved": "没解决 / not solved",
           "fallback": "没听懂 / not understood", "human": "转人工 / asked for a person"}
ESCALATIONS = {"manual": "客服升级 / by an agent",
               "sla_first_reply": "首次回复超时 / first reply late",
               "sla_resolve": "解决超时 / resolution late", "chased": "买家催单 / chased"}
TOP_GAPS = 15
# Readable columns: a pasted essay would push the table off any screen or page.
GAP_TEXT, GAP_EXAMPLE, GAP_SIMILAR = 40, 20, 60


@dataclass(frozen=True)
class Section:
    """A titled table."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Report:
    """Figures and FAQ gaps for one period of one database."""

    since: datetime
    until: datetime
    tz: str
    figures: Figures
    gaps: tuple[Gap, ...]
    targets: Mapping[str, float]  # first-reply target minutes per tier
    labels: Mapping[str, str] = field(default_factory=dict)  # intent id -> 卡密未到账

    @property
    def period(self) -> str:
        """The period as the shop reads it."""
        fmt = "%Y-%m-%d %H:%M"
        return f"{self.since.strftime(fmt)} – {self.until.strftime(fmt)} ({self.tz})"


def pct(value: float | None) -> str:
    """0.583 → 58.3%; None → -."""
    return "-" if value is None else f"{value * 100:.1f}%"


def sections(r: Report) -> list[Section]:
    """Every table of the report, in reading order."""
    return [overview(r.figures), handoffs(r.figures), by_day(r.figures), by_intent(r.figures),
            times("首次回复 (分钟) / first reply (minutes)", r.figures.first_reply, r.targets),
            times("解决时长 (分钟) / resolution (minutes)", r.figures.resolution, {}),
            promises_sla(r.figures), ratings(r.figures), agents(r.figures), gaps(r.gaps)]


def overview(f: Figures) -> Section:
    """Conversations and how they ended."""
    v = f.volume
    rows = (("对话 / conversations", v.conversations),
            ("机器人解决 / settled by the bot", f"{v.bot_settled} ({pct(v.self_service)})"),
            ("开了工单 / handed to a person", v.with_ticket),
            ("转人工前离开 / left before a ticket", v.left_in_intake),
            ("没听懂后离开 / left unanswered", v.unanswered),
            ("旧工单跟进 / follow-ups on older tickets", v.follow_ups),
            ("新工单 / tickets opened", f.tickets),
            ("  其中 kefu 自动处理 / handled by kefu itself", v.kefu_handled))
    return Section("概览 / overview", ("", ""), rows,
                   "领先平台约 70% 的对话由机器人直接解决 / leading platforms settle 70 %+")


def handoffs(f: Figures) -> Section:
    """Why tickets were opened."""
    rows = tuple((REASONS.get(k, k), n) for k, n in f.volume.handoffs.items())
    return Section("转人工原因 / why people took over", ("原因 / reason", "工单 / tickets"), rows)


def by_day(f: Figures) -> Section:
    """Daily conversations and tickets per tier."""
    rows = tuple((d.day, d.conversations, d.bot_settled, pct(d.self_service),
                  d.tickets.get("S", 0), d.tickets.get("A", 0), d.tickets.get("B", 0))
                 for d in f.volume.by_day)
    return Section("每日 / by day", ("日期 / day", "对话", "机器人", "自助率", "S", "A", "B"),
                   rows)


def by_intent(f: Figures) -> Section:
    """What buyers asked, most asked first."""
    rows = tuple((f"{i.label} ({i.intent})" if i.label != i.intent else i.intent,
                  i.conversations, i.bot_settled, i.tickets) for i in f.volume.by_intent)
    return Section("按意图 / by intent", ("意图 / intent", "对话", "机器人", "工单"), rows)


def times(title: str, data: Sequence[Times], targets: Mapping[str, float]) -> Section:
    """p50 / p90 per tier (tier when opened)."""
    rows = tuple((t.tier, t.count, t.p50, t.p90, targets.get(t.tier)) for t in data)
    headers = ("级别 / tier", "工单", "p50", "p90") + (("目标 / target",) if targets else ())
    return Section(title, headers, tuple(r[:len(headers)] for r in rows),
                   "墙钟时间; SLA 只计营业时间 / wall-clock; SLA targets count business hours")


def promises_sla(f: Figures) -> Section:
    """Promises kept, breaches, escalations, reopenings."""
    p, s = f.promises, f.sla
    rows: list[tuple[Cell, ...]] = [
        ("按时回复 / first promise kept", f"{p.kept}/{p.kept + p.broken} ({pct(p.kept_share)})"),
        ("尚未到期 / promise still running", p.pending),
        ("超时工单 / tickets that breached an SLA", f"{s.breached_tickets} "
                                                   f"({pct(s.breached_share)})"),
        *((f"  超时 / breach: {k}", n) for k, n in s.breaches.items()),
        *((f"升级 / escalation: {ESCALATIONS.get(k, k)}", n) for k, n in s.escalations.items()),
        ("重新打开 / reopened", f"{s.reopened}/{s.resolved} ({pct(s.reopen_rate)})")]
    return Section("承诺与时限 / promises and SLA", ("", ""), tuple(rows))


def ratings(f: Figures) -> Section:
    """Stars: overall, distribution, by agent, by intent."""
    r = f.ratings
    rows: list[tuple[Cell, ...]] = [("评价数 / ratings", r.count), ("平均 / average", r.average),
                                    *((f"{'⭐' * n}", r.distribution[n]) for n in range(5, 0, -1)),
                                    *((f"客服 / agent: {k}", v) for k, v in r.by_agent.items()),
                                    *((f"意图 / intent: {k}", v) for k, v in r.by_intent.items())]
    return Section("评分 / ratings", ("", ""), tuple(rows))


def agents(f: Figures) -> Section:
    """Per agent: tickets, resolved, p50s, stars."""
    rows = tuple((a.name, a.handled, a.resolved, a.first_reply_p50, a.resolution_p50,
                  f"{a.rating} ({a.ratings})" if a.ratings else "-") for a in f.agents)
    return Section("客服 / agents", ("客服 / agent", "工单", "已解决", "首次回复 p50",
                                     "解决 p50", "评分"), rows)


def cut(text: str, width: int) -> str:
    """At most `width` characters, an ellipsis marking the cut; one line."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[:width - 1] + "…"


def gaps(items: Sequence[Gap]) -> Section:
    """The biggest groups of messages the bot did not understand."""
    rows = tuple((g.count, g.buyers, cut(g.text, GAP_TEXT), cut(" / ".join(
        cut(e, GAP_EXAMPLE) for e in g.examples[1:4]), GAP_SIMILAR), g.nearest or "")
        for g in items[:TOP_GAPS])
    return Section("FAQ 缺口 / FAQ gaps", ("消息", "买家", "问法 / wording",
                                          "相似问法 / similar", "接近 / nearest intent"), rows,
                   "kefu report --faq-gaps --yaml 生成可粘贴的 faq.yaml 草稿 / writes stubs")
