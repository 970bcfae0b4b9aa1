"""A simulated day through the real queue, ETA, ticket, staff and SLA code: are promises kept?

    python benchmarks/eta_sim.py                 # seed 7, Monday 2026-11-23
    python benchmarks/eta_sim.py --seed 3 --load 1.2 --seeds 10

Tickets arrive with a morning and an evening peak, agents come on and go off duty
(`/duty` through the front door, bot/door.py), each free agent takes the most urgent, oldest
waiting ticket, replies after reading it and resolves it after a lognormal handling time;
a timer tick enters the front door every simulated minute. Everything goes through a
temp SQLite file and a fake clock. Printed per tier (as opened): share of first replies by
the promised time, slack (promise - first reply) median / p10 / p90 in minutes, share
escalated by the SLA, share whose promise had to be renewed. Deterministic for a seed; no asserts.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import door  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.events import AgentAct  # noqa: E402
from bot.kefu import Kefu, bootstrap  # noqa: E402
from bot.orders.calls import perform  # noqa: E402
from bot.outbox import deliver  # noqa: E402
from bot.records import parse_time  # noqa: E402
from bot.tickets import open_ticket  # noqa: E402
from intents.match import load_matcher  # noqa: E402
from tests.fixtures_core import MINI_FAQ, FakeClock  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
# Tickets an hour by local hour: quiet night, a morning peak at 10-11, an evening one at 20-21.
RATE = [1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 8, 14, 14, 9, 9, 8, 8, 8, 8, 10, 13, 18, 18, 12, 6]
TIER_MIX = {"S": 0.10, "A": 0.55, "B": 0.35}
INTENT_OF = {"S": "account_stolen", "A": "card_not_received", "B": "contact_human"}
# (id, name, role, shift start hour, shift end hour), local time.
SHIFTS = [(601, "小王", "senior", 9, 18), (602, "小李", "junior", 9, 18),
          (603, "小赵", "junior", 10, 19), (604, "老李", "supervisor", 10, 19),
          (605, "小陈", "junior", 13, 22), (606, "小周", "senior", 15, 24),
          (607, "小吴", "junior", 18, 24), (608, "小郑", "junior", 19, 24)]
HANDLE_MEDIAN_MIN, HANDLE_SIGMA = 12.0, 0.7  # claim -> resolve: skewed, mean ~15 min
READ_MEDIAN_MIN, READ_SIGMA = 2.0, 0.5  # claim -> first reply
NOTICE_MEAN_MIN = 1.5  # an idle agent notices a new ticket after this long on average
SLA_TICK = timedelta(minutes=1)


@dataclass(frozen=True)
class Job:
    """One buyer's ticket, drawn in advance so every ETA rule faces the same day."""

    at: datetime
    tier: str
    read: float  # minutes from claim to first reply
    handle: float  # minutes from claim to resolve


@dataclass
class AgentState:
    """One simulated agent: on shift or not, and busy until when."""

    id: int
    shift: tuple[int, int]
    on: bool = False
    busy: bool = False
    looking: bool = False


@dataclass
class Sim:
    """The event loop: a heap of (time, seq, action) over the real kefu core."""

    k: Kefu
    clock: FakeClock
    rng: random.Random
    agents: dict[int, AgentState]
    jobs: dict[int, Job] = field(default_factory=dict)  # by ticket id
    heap: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)
    seq: int = 0

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        """Schedule an action."""
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, action))

    def run(self, until: datetime) -> None:
        """Advance the fake clock event by event."""
        while self.heap and self.heap[0][0] <= until:
            when, _, action = heapq.heappop(self.heap)
            self.clock.now = when
            action()

    def act(self, agent_id: int, action: str, ticket_id: int | None = None,
            text: str = "") -> bool:
        """One staff action through the real core."""
        result = door.run(self.k, AgentAct(agent_id, action, ticket_id, text), perform).staff
        return result is not None and result.ok


# --- arrivals -----------------------------------------------------------------------------
def jobs(rng: random.Random, day: date, load: float) -> list[Job]:
    """Poisson arrivals, rate by hour (thinning over the peak rate), with tier and work."""
    peak = max(RATE) * load
    t, out = 0.0, []
    while True:
        t += rng.expovariate(peak)
        if t >= 24.0:
            return out
        if rng.random() < RATE[int(t)] * load / peak:
            at = datetime.combine(day, time(0), SH) + timedelta(hours=t)
            out.append(_job(rng, at))


def _job(rng: random.Random, at: datetime) -> Job:
    r = rng.random()
    tier = "S" if r < TIER_MIX["S"] else ("A" if r < TIER_MIX["S"] + TIER_MIX["A"] else "B")
    read = rng.lognormvariate(0, READ_SIGMA) * READ_MEDIAN_MIN
    handle = max(rng.lognormvariate(0, HANDLE_SIGMA) * HANDLE_MEDIAN_MIN, read + 1)
    return Job(at, tier, read, handle)


def arrive(sim: Sim, n: int, job: Job) -> None:
    """A buyer's ticket opens (through bot.tickets.open_ticket) and idle agents hear of it."""
    k, now = sim.k, sim.k.now()
    with k.store.transaction():
        k.store.users.ensure(10_000 + n, f"买家{n}", now)
        ticket, outs = open_ticket(k, 10_000 + n, k.intent(INTENT_OF[job.tier]),  # type: ignore[arg-type]
                                   {"demand": "补发"}, now)
        deliver(k.store, outs, now)
    sim.jobs[ticket.id] = job
    for a in sim.agents.values():
        if a.on and not a.busy and not a.looking:
            notice(sim, a)


# --- agents -------------------------------------------------------------------------------
def notice(sim: Sim, a: AgentState) -> None:
    """An idle agent looks at the queue a little later (nobody stares at it)."""
    a.looking = True
    sim.at(sim.k.now() + timedelta(minutes=sim.rng.expovariate(1 / NOTICE_MEAN_MIN)),
           lambda: look(sim, a))


def look(sim: Sim, a: AgentState) -> None:
    """Take the most urgent, oldest ticket nobody answered yet (or one handed to me)."""
    a.looking = False
    if not a.on or a.busy:
        return
    on_duty = {x.id for x in sim.k.store.agents.on_duty()}
    waiting = [t for t in sim.k.store.tickets.all_open() if t.first_reply_at is None
               and (t.agent_id in (None, a.id) or t.agent_id not in on_duty)]
    if not waiting:
        return
    t = waiting[0]
    if t.agent_id is None:
        sim.act(a.id, "claim", t.id)
    a.busy = True
    job, now = sim.jobs[t.id], sim.k.now()
    sim.at(now + timedelta(minutes=job.read), lambda: sim.act(a.id, "reply", t.id, "您好, 正在查"))
    sim.at(now + timedelta(minutes=job.handle), lambda: finish(sim, a, t.id))


def finish(sim: Sim, a: AgentState, ticket_id: int) -> None:
    """Resolve, then look for the next ticket straight away."""
    sim.act(a.id, "resolve", ticket_id)
    a.busy = False
    if a.on:
        look(sim, a)


def shift(sim: Sim, a: AgentState, on: bool) -> None:
    """Start or end a shift with /duty; a leaving agent finishes the ticket in hand."""
    sim.act(a.id, "duty", text="on" if on else "off")
    a.on = on
    if on:
        look(sim, a)


def schedule_shifts(sim: Sim, day: date) -> None:
    """Every agent's shift, every day the simulation may run into."""
    for d in (day, day + timedelta(days=1)):
        for a in sim.agents.values():
            start, end = a.shift
            base = datetime.combine(d, time(0), SH)
            sim.at(base + timedelta(hours=start), lambda a=a: shift(sim, a, True))
            sim.at(base + timedelta(hours=end), lambda a=a: shift(sim, a, False))


def sla_ticks(sim: Sim, start: datetime, end: datetime) -> None:
    """The SLA job, as the Telegram JobQueue would run it."""
    t = start
    while t <= end:
        sim.at(t, lambda: door.run(sim.k, door.Tick(), perform))
        t += SLA_TICK


# --- figures ------------------------------------------------------------------------------
def figures(k: Kefu) -> dict[str, dict[str, float]]:
    """Per tier as opened: promises kept, slack, escalated, renewed."""
    rows: dict[str, list[tuple[float | None, bool, bool]]] = {"S": [], "A": [], "B": []}
    for t in k.store.db.query("SELECT * FROM tickets ORDER BY id"):
        evs = list(k.store.ticket_events.of(t["id"]))
        opened = json.loads(evs[0]["data"])
        promised = parse_time(opened["promised_at"])
        reply = parse_time(t["first_reply_at"])
        slack = (promised - reply).total_seconds() / 60 if reply and promised else None
        names = [e["event"] for e in evs]
        rows[opened["tier"]].append((slack, "sla_breached" in names, "eta_renewed" in names))
    return {tier: _summary(r) for tier, r in rows.items() if r}


def _summary(rows: list[tuple[float | None, bool, bool]]) -> dict[str, float]:
    slacks = sorted(s for s, _, _ in rows if s is not None)
    q = statistics.quantiles(slacks, n=10) if len(slacks) > 1 else slacks * 9
    return {"tickets": len(rows),
            "kept": sum(s is not None and s >= 0 for s, _, _ in rows) / len(rows),
            "median": statistics.median(slacks) if slacks else float("nan"),
            "p10": q[0] if q else float("nan"), "p90": q[-1] if q else float("nan"),
            "escalated": sum(e for _, e, _ in rows) / len(rows),
            "renewed": sum(r for _, _, r in rows) / len(rows)}


def report(figs: dict[str, dict[str, float]]) -> str:
    """The per-tier table."""
    lines = ["tier  tickets  kept    slack median  p10     p90     escalated  renewed"]
    for tier, f in figs.items():
        lines.append(f"{tier:<5} {f['tickets']:>7}  {f['kept']:>6.1%}  {f['median']:>8.1f} min"
                     f"  {f['p10']:>6.1f}  {f['p90']:>6.1f}  {f['escalated']:>8.1%}"
                     f"  {f['renewed']:>7.1%}")
    return "\n".join(lines)


# --- wiring -------------------------------------------------------------------------------
def build(workdir: Path, day: date) -> tuple[Kefu, FakeClock]:
    """A kefu on a temp SQLite file with the shift roster as agents."""
    agents = "".join(f"  - {{id: {i}, name: {n}, role: {r}}}\n" for i, n, r, _, _ in SHIFTS)
    path = workdir / "kefu.yaml"
    path.write_text(f"database: {workdir / 'sim.db'}\nfaq: {MINI_FAQ}\nagents:\n{agents}",
                    encoding="utf-8")
    clock = FakeClock(datetime.combine(day, time(0), SH).astimezone(UTC))
    return bootstrap(load_config(path, env={}), clock, load_matcher(MINI_FAQ)), clock


def simulate(seed: int, day: date, load: float) -> dict[str, dict[str, float]]:
    """Run one day (and the next morning until the queue is empty); return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        k, clock = build(Path(tmp), day)
        agents = {i: AgentState(i, (s, e)) for i, _, _, s, e in SHIFTS}
        # Two streams: the day's work is the same whatever the agents' timing does.
        sim = Sim(k, clock, random.Random(seed * 2 + 1), agents)
        for n, job in enumerate(jobs(random.Random(seed), day, load)):
            sim.at(job.at, lambda n=n, job=job: arrive(sim, n, job))
        schedule_shifts(sim, day)
        start = datetime.combine(day, time(0), SH)
        sla_ticks(sim, start, start + timedelta(hours=36))
        sim.run(start + timedelta(hours=36))
        figs = figures(k)
        k.store.db.conn.close()
        return figs


def spread(seeds: range, day: date, load: float) -> str:
    """Tier A over several seeded days: the worst and the average day."""
    runs = [simulate(seed, day, load)["A"] for seed in seeds]
    kept, median = [r["kept"] for r in runs], [r["median"] for r in runs]
    return (f"tier A over seeds {seeds.start}-{seeds.stop - 1}: kept worst {min(kept):.1%} "
            f"mean {statistics.fmean(kept):.1%} · median slack worst {max(median):.1f} "
            f"mean {statistics.fmean(median):.1f} min")


def main(argv: list[str] | None = None) -> int:
    """Print the per-tier figures for one seeded day (and tier A over more with --seeds)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--seeds", type=int, default=0, help="also run seeds 1..N for tier A")
    p.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 23))
    p.add_argument("--load", type=float, default=1.0, help="scale the arrival rates")
    args = p.parse_args(argv)
    print(f"eta_sim seed={args.seed} day={args.day} load={args.load}")
    print(report(simulate(args.seed, args.day, args.load)))
    if args.seeds:
        print(spread(range(1, args.seeds + 1), args.day, args.load))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
