"""End-to-end load: simulated buyers talk to a bot process through the loopback Bot API peer.

    python benchmarks/bench_e2e.py                      # echo baseline, 50 users x 20 messages
    python benchmarks/bench_e2e.py --target echo --target kefu --users 50 --messages 20
    python benchmarks/bench_e2e.py --target echo --target kefu --scenario mixed --users 200

Each target is a command line started in its own process with KEFU_TELEGRAM_TOKEN (and
KEFU_TELEGRAM_BASE_URL, KEFU_DB) in a fresh temp dir; `{base_url}`, `{workdir}`, `{python}` and
`{script}` in it are filled in, and SETUPS[name](peer, workdir) runs first. First a lone buyer
measures the per-message latency ("solo p50"); then every simulated buyer sends a private
message, waits for the bot's next message in that chat, and sends the next one. Printed:
throughput, p50/p99 reply latency, the bot process's peak RSS (VmHWM) and CPU per message,
lost replies (must be 0), and each target's ratio to the echo baseline.

`--target kefu-slowshop`: kefu with its orders on a shop API that takes 2 s per lookup;
one question in ten is an order lookup (issue 14: how many turns a second kefu keeps while
the shop is slow; compare with `--target kefu` in the same run).

`--scenario mixed` (issue 8's load figure): 60 % of the buyers ask eight FAQ questions, 40 %
go through intake to a ticket, an agent replies in the ticket's topic, the buyer's thanks is
relayed to the topic and the agent resolves it (benchmarks/e2e_mix.py). Every step is one
action and the delivery it causes; "steps/s" counts them. The echo bot gets the same buyers
and texts. For kefu the run also checks that its outbox is empty at the end ("undelivered").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import resource
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks import e2e_mix  # noqa: E402
from tests.e2e.peer import BotApiPeer  # noqa: E402
from tests.fixtures_orders import serve_shop  # noqa: E402
from tools.report.stats import percentile as nearest_rank  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile in ms; 0 when a run produced no latencies."""
    return nearest_rank(values, q) or 0.0


# name -> command line; add a target here (or pass --command NAME='...').
TARGETS: dict[str, str] = {
    "echo": "{python} {script} --serve-echo --base-url {base_url}",
    "kefu": "{python} -m tools.cli --config {workdir}/kefu.yaml run --base-url {base_url}",
    "kefu-limited": "{python} -m tools.cli --config {workdir}/kefu.yaml run --base-url {base_url}",
    "kefu-httpx": "{python} -m tools.cli --config {workdir}/kefu.yaml run --base-url {base_url}",
    "kefu-slowshop": "{python} -m tools.cli --config {workdir}/kefu.yaml run --base-url "
                     "{base_url}",
}
STAFF_CHAT = -1001777
AGENTS = (501, 502, 503)


def setup_kefu(peer: BotApiPeer, workdir: Path, limited: bool = False,
               http: str = "aiohttp") -> None:
    """The shop's real FAQ, always open, a forum staff group with three agents.

    The emulator has no flood limits, so kefu's (Telegram's 30 a second, 20 a minute per
    group) are lifted: the figure is kefu's own cost, as the echo bot's is. `kefu-limited`
    keeps them, to see what Telegram's limits do to buyers and staff. `kefu-httpx` talks
    to the Bot API through httpx, as the echo bot does (PTB's default), not aiohttp.
    """
    agents = "".join(f"  - {{id: {a}, name: 客服{a}, role: senior}}\n" for a in AGENTS)
    lifted = "messages_per_second: 0, group_messages_per_minute: 0, "
    limits = f"telegram: {{{'' if limited else lifted}http: {http}}}\n"
    (workdir / "kefu.yaml").write_text(
        f"database: {workdir / 'kefu.db'}\nfaq: {ROOT / 'faq.yaml'}\nstaff_chat: {STAFF_CHAT}\n"
        "business_hours: {opens: '00:00', closes: '00:00'}\n"
        f"{limits}agents:\n{agents}", encoding="utf-8")
    peer.set_forum(STAFF_CHAT, True, title="售后客服组")
    for agent in AGENTS:
        peer.set_member(STAFF_CHAT, agent, "member")


SLOW_SHOP_SECONDS = 2.0  # issue 14: turns a second kefu keeps while the shop takes this long
RUNNING_SHOPS: list[contextlib.ExitStack] = []  # the slow shops, alive until the process ends


def setup_slow_shop(peer: BotApiPeer, workdir: Path) -> None:
    """kefu as above, its orders on a shop API (on loopback) that answers in 2 s.

    One question in ten ("订单号 … 查一下") is an order lookup: that buyer waits for the shop
    (and hears "正在查询订单…" after a second); every other buyer must not. The shop lives
    until this benchmark process ends."""
    setup_kefu(peer, workdir)
    stack = contextlib.ExitStack()
    RUNNING_SHOPS.append(stack)  # a dropped stack would stop the shop at once
    shop = stack.enter_context(serve_shop())
    shop.answer("/orders/", 200, {"data": {"no": "20240518123456", "state": "已发货"}},
                delay=SLOW_SHOP_SECONDS)  # the last answer repeats
    http = {"lookup_url": f"{shop.url}/orders/{{order_no}}", "timeout_seconds": 4,
            "retries": 0, "fields": {"order_no": "data.no", "status": "data.state"}}
    with (workdir / "kefu.yaml").open("a", encoding="utf-8") as config:
        config.write(yaml.safe_dump({"orders": {"backend": "http", "check_owner": False,
                                                "http": http}}, allow_unicode=True))


# name -> called with (peer, workdir) before the target starts: write its config, set_forum...
SETUPS: dict[str, Callable[[BotApiPeer, Path], None]] = {
    "kefu": setup_kefu, "kefu-limited": functools.partial(setup_kefu, limited=True),
    "kefu-httpx": functools.partial(setup_kefu, http="httpx"),
    "kefu-slowshop": setup_slow_shop}
STAFFED = {"kefu"}  # targets with a staff group: handoffs reach a person (else echo buyers)


def family(name: str) -> str:
    """A variant such as --command kefu-x='...' is set up and driven like kefu."""
    return name.split("-", 1)[0]
BASELINE = "echo"
FIRST_USER_ID = 700_000
WARMUP_USER_ID = 699_999
QUESTIONS = [
    "卡密没收到",
    "怎么退款",
    "发货要多久",
    "付款了没反应",
    "激活码用不了",
    "能开发票吗",
    "会员到期了怎么续费",
    "你好，在吗",
    "订单号 20240518123456 查一下",
    "充值失败钱扣了",
]


@dataclass
class Result:
    """One target's measurements."""

    target: str
    users: int
    messages: int
    replies: int = 0
    lost: int = 0
    wall_s: float = 0.0
    throughput: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_ms_per_msg: float = 0.0
    solo_p50_ms: float = 0.0
    undelivered: int | None = None  # kefu: outbox rows never delivered (must be 0)
    harness_cpu_s: float = 0.0  # the emulator's and the simulated users' CPU during the run
    by_kind: dict[str, list[float]] = field(default_factory=dict, repr=False)  # mixed steps
    latencies_ms: list[float] = field(default_factory=list, repr=False)


# ---- the echo bot (a separate process) -----------------------------------------------------


def serve_echo(base_url: str) -> None:
    """Run a bare PTB echo bot on long polling until SIGTERM."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the text back."""
        await update.message.reply_text(update.message.text)

    token = os.environ["KEFU_TELEGRAM_TOKEN"]
    app = Application.builder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10)


# ---- the bot process -----------------------------------------------------------------------


def target_command(template: str, peer: BotApiPeer, workdir: Path) -> list[str]:
    """Fill a target's command template."""
    values = {
        "python": sys.executable,
        "script": __file__,
        "base_url": peer.base_url,
        "workdir": str(workdir),
    }
    return [part.format(**values) for part in shlex.split(template)]


def start_bot(command: list[str], peer: BotApiPeer, workdir: Path) -> subprocess.Popen[bytes]:
    """Start the bot under test with its token and a private working directory."""
    env = {
        **os.environ,
        "KEFU_TELEGRAM_TOKEN": peer.token,
        "KEFU_TELEGRAM_BASE_URL": peer.base_url,
        "KEFU_DB": str(workdir / "kefu.db"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (workdir / "bot.log").open("wb")
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_bot(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (PTB shuts down cleanly), then kill if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a live process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def harness_cpu(peer: BotApiPeer) -> float:
    """CPU seconds used so far by the emulator process and by this driver."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return cpu_seconds(peer.pid) + own.ru_utime + own.ru_stime


def wait_until_polling(peer: BotApiPeer, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for the bot's first getUpdates; fail with its log if it dies first."""
    deadline = time.monotonic() + 60
    while peer.call_counts().get("getUpdates", 0) == 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"bot did not start polling:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


# ---- the simulated buyers ------------------------------------------------------------------


def buyer_text(user: int, index: int) -> str:
    """What buyer `user` says as message number `index`."""
    return QUESTIONS[(user + index) % len(QUESTIONS)]


async def ask(
    clients: e2e_mix.Clients, token: str, user_id: int, text: str, timeout: float
) -> bool:
    """Post a buyer's private message; the peer answers once the bot has replied (or timed out)."""
    body = {"token": token, "userId": user_id, "chatId": user_id, "text": text}
    body["awaitReply"] = timeout
    response = await clients(user_id).post("/_test/userMessage", json=body,
                                           timeout=timeout + 5)
    response.raise_for_status()
    return bool(response.json()["replies"])


async def buyer(
    clients: e2e_mix.Clients,
    token: str,
    user_id: int,
    messages: int,
    timeout: float,
    result: Result,
) -> None:
    """One person: say something, wait for the answer, repeat."""
    for index in range(messages):
        started = time.perf_counter()
        if await ask(clients, token, user_id, buyer_text(user_id, index), timeout):
            result.replies += 1
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            result.lost += 1


async def solo_latency(clients: e2e_mix.Clients, token: str, messages: int) -> float:
    """Warm up, then p50 reply latency of a lone buyer (no queueing): the per-message cost."""
    solo = Result("solo", 1, messages)
    # The warm-up is another buyer's: kefu's flood guard allows 20 messages a minute each.
    if not await ask(clients, token, WARMUP_USER_ID - 1, "你好", 60):
        raise SystemExit("the bot never answered the warm-up message")
    await buyer(clients, token, WARMUP_USER_ID, messages, 10, solo)
    return percentile(solo.latencies_ms, 50)


async def drive(peer: BotApiPeer, args: argparse.Namespace, result: Result) -> None:
    """Measure a lone buyer, then run all buyers concurrently."""
    clients = e2e_mix.Clients(peer.url)
    try:
        result.solo_p50_ms = await solo_latency(clients, peer.token, args.solo)
        ids = [FIRST_USER_ID + n for n in range(args.users)]
        clients.ready(*ids, STAFF_CHAT, *AGENTS)
        started = time.perf_counter()
        if args.scenario == "mixed":
            staff = (STAFF_CHAT, AGENTS) if family(result.target) in STAFFED else None
            tally = await e2e_mix.mixed(clients, peer.token, ids, args.reply_timeout, staff)
            result.replies, result.lost = tally.steps, tally.lost
            result.latencies_ms, result.by_kind = tally.latencies_ms, tally.by_kind
        else:
            await asyncio.gather(*(buyer(clients, peer.token, user_id, args.messages,
                                         args.reply_timeout, result) for user_id in ids))
        result.wall_s = time.perf_counter() - started
    finally:
        await clients.aclose()


def undelivered(db: Path, patience: float = 30.0) -> int:
    """kefu's outbox rows not yet delivered, once they stop draining (or after `patience` s)."""
    deadline = time.monotonic() + patience
    while True:
        conn = sqlite3.connect(db)
        try:
            left = conn.execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
            count = int(left.fetchone()[0])
        finally:
            conn.close()
        if count == 0 or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def measure(name: str, template: str, peer: BotApiPeer, args: argparse.Namespace) -> Result:
    """Start one target, drive the buyers against it, collect the numbers."""
    peer.reset()
    result = Result(name, args.users, args.messages if args.scenario == "simple" else 0)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        workdir = Path(tmp)
        setup = SETUPS.get(name) or SETUPS.get(family(name))
        if setup:
            setup(peer, workdir)
        proc = start_bot(target_command(template, peer, workdir), peer, workdir)
        try:
            wait_until_polling(peer, proc, workdir / "bot.log")
            cpu_before = cpu_seconds(proc.pid)
            harness_before = harness_cpu(peer)
            asyncio.run(drive(peer, args, result))
            result.harness_cpu_s = harness_cpu(peer) - harness_before
            if (workdir / "kefu.db").exists():
                result.undelivered = undelivered(workdir / "kefu.db")
            cpu_used = cpu_seconds(proc.pid) - cpu_before
            result.peak_rss_mb = peak_rss_mb(proc.pid)
        finally:
            stop_bot(proc)
    total = result.replies + result.lost
    result.throughput = result.replies / result.wall_s if result.wall_s else 0.0
    result.p50_ms = percentile(result.latencies_ms, 50)
    result.p99_ms = percentile(result.latencies_ms, 99)
    result.cpu_ms_per_msg = cpu_used * 1000 / total
    return result


# ---- output --------------------------------------------------------------------------------

COLUMNS: list[tuple[str, str, Callable[[Result], object]]] = [
    ("target", "<8", lambda r: r.target),
    ("load", ">9", lambda r: f"{r.users}x{r.messages}" if r.messages else f"{r.users} mixed"),
    ("replies", ">8", lambda r: r.replies),
    ("lost", ">5", lambda r: r.lost),
    ("undelivered", ">11", lambda r: "-" if r.undelivered is None else r.undelivered),
    ("wall s", ">7", lambda r: f"{r.wall_s:.2f}"),
    ("solo p50 ms", ">11", lambda r: f"{r.solo_p50_ms:.1f}"),
    ("msg/s", ">7", lambda r: f"{r.throughput:.0f}"),
    ("p50 ms", ">7", lambda r: f"{r.p50_ms:.1f}"),
    ("p99 ms", ">7", lambda r: f"{r.p99_ms:.1f}"),
    ("peak RSS MB", ">12", lambda r: f"{r.peak_rss_mb:.1f}"),
    ("bot CPU ms/msg", ">15", lambda r: f"{r.cpu_ms_per_msg:.2f}"),
    ("harness CPU s", ">14", lambda r: f"{r.harness_cpu_s:.1f}"),
]


def report(results: list[Result]) -> None:
    """Print a table, latencies by step kind, and each run's ratios to the echo baseline."""
    print("  ".join(f"{title:{fmt}}" for title, fmt, _ in COLUMNS))
    for result in results:
        print("  ".join(f"{get(result)!s:{fmt}}" for _, fmt, get in COLUMNS))
    for result in results:
        kinds = [f"{kind} {len(ms)} steps p50 {percentile(ms, 50):.0f} / p99 "
                 f"{percentile(ms, 99):.0f} ms" for kind, ms in sorted(result.by_kind.items())]
        if kinds:
            print(f"{result.target}: " + "; ".join(kinds))
    ratios: dict[str, list[float]] = {}
    base = None
    for result in results:  # each run is compared with the baseline run just before it
        if result.target == BASELINE:
            base = result
            continue
        if base is None or not base.throughput:
            continue
        ratio = result.throughput / base.throughput
        ratios.setdefault(result.target, []).append(ratio)
        print(
            f"{result.target}/{BASELINE}: throughput x{ratio:.2f}, "
            f"solo p50 x{result.solo_p50_ms / base.solo_p50_ms:.2f}, "
            f"p50 x{result.p50_ms / base.p50_ms:.2f}, p99 x{result.p99_ms / base.p99_ms:.2f}, "
            f"peak RSS x{result.peak_rss_mb / base.peak_rss_mb:.2f}, "
            f"CPU/msg x{result.cpu_ms_per_msg / base.cpu_ms_per_msg:.2f}"
        )
    for target, values in ratios.items():
        if len(values) > 1:
            print(f"{target}/{BASELINE} throughput over {len(values)} runs: median "
                  f"x{statistics.median(values):.2f} (min x{min(values):.2f}, "
                  f"max x{max(values):.2f})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", action="append", help=f"one of {sorted(TARGETS)} (repeat)")
    parser.add_argument(
        "--command", action="append", default=[], metavar="NAME=CMD", help="define a target"
    )
    parser.add_argument("--scenario", choices=["simple", "mixed"], default="simple",
                        help="simple: N x M questions; mixed: FAQ and handoff conversations")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of all targets (a shared machine is noisy: use 3 or more)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="per user")
    parser.add_argument("--solo", type=int, default=20, help="messages of the lone-buyer phase")
    parser.add_argument("--reply-timeout", type=float, default=10.0, help="seconds, else lost")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--serve-echo", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --serve-echo, be the echo bot)."""
    args = parse_args(argv)
    if args.serve_echo:
        serve_echo(args.base_url or os.environ["KEFU_TELEGRAM_BASE_URL"])
        return 0
    targets = dict(TARGETS)
    targets.update(dict(item.split("=", 1) for item in args.command))
    names = args.target or [BASELINE]
    unknown = [name for name in names if name not in targets]
    if unknown:
        raise SystemExit(f"unknown target(s) {unknown}; known: {sorted(targets)}")
    with BotApiPeer() as peer:  # --repeat: interleaved rounds, so noise hits both alike
        results = [measure(name, targets[name], peer, args)
                   for _ in range(args.repeat) for name in names]
    report(results)
    if args.json:
        rows = [{k: v for k, v in asdict(r).items() if k not in ("latencies_ms", "by_kind")}
                for r in results]
        args.json.write_text(json.dumps(rows, indent=2))
    return 1 if any(r.lost or r.undelivered for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
