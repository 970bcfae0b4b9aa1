"""The staff group's budget (issue 16): Bot API writes per ticket, and 16 cards at once.

    python benchmarks/bench_staff_budget.py               # both scenarios, this checkout
    python benchmarks/bench_staff_budget.py --repo /work/main   # another checkout's kefu

Telegram lets a bot post about 20 messages a minute in one group, and edits, renames and
closing a topic count. kefu runs as a process against the Bot API emulator with its own
limits on (20 a minute per group, as in production: the emulator enforces none itself).

1. The normal path of one ticket: open, claim (button), two replies each way, a /note,
   one stage (/stage 处理), resolve (/resolve), with `--gap` seconds between the agent's
   actions (more than the sender's 2.5 s hold, so changes are not merged by luck).
   Printed: every write kefu made in the staff group, by method, split into the buyer's
   relayed messages and the rest.
2. 16 buyers open tickets at the same moment: seconds until every card shows in the staff
   group, and the writes it took.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e import kefu_process  # noqa: E402
from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, write_config  # noqa: E402
from tests.e2e.peer import BotApiPeer  # noqa: E402
from tests.e2e.shop import BUYER, buttons, has, open_ticket, wait_until  # noqa: E402

WRITES = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText", "createForumTopic",
          "editForumTopic", "closeForumTopic", "reopenForumTopic")
FLOOD = 16
ORDER = "KM2024112215301234{:02d}"
LIMITS = "telegram: {messages_per_second: 30, group_messages_per_minute: 20}\n"


def staff_writes(peer: BotApiPeer) -> list[dict]:
    """Every write kefu made in the staff group, oldest first."""
    return [c for c in peer.calls() if c["method"] in WRITES
            and str(c["params"].get("chat_id")) == str(STAFF_CHAT)]


def start(peer: BotApiPeer, workdir: Path) -> KefuProcess:
    """A fresh emulator state and a kefu process with Telegram's limits."""
    peer.reset()
    peer.set_forum(STAFF_CHAT, True, title="售后客服组")
    peer.set_member(STAFF_CHAT, AGENT, "member")
    return KefuProcess(peer, write_config(workdir, extra=LIMITS)).start()


def normal_path(peer: BotApiPeer, workdir: Path, gap: float) -> Counter[str]:
    """One ticket's normal life; returns its staff-group writes by method."""
    kefu = start(peer, workdir)
    try:
        _, card = open_ticket(peer)
        thread, card_id = card["message_thread_id"], card["message_id"]
        time.sleep(gap)
        peer.press_button(AGENT, STAFF_CHAT, card_id, buttons(card)["认领"])
        for n in range(2):
            time.sleep(gap)
            peer.send_text(AGENT, STAFF_CHAT, f"回复{n}", first_name="小王", thread_id=thread)
            peer.wait_for_bot_message(BUYER, has(f"【客服 小王】回复{n}"), timeout=30)
            peer.send_text(BUYER, BUYER, f"好的{n} 还要等多久")
            peer.wait_for_bot_message(STAFF_CHAT, has(f"买家补充: 好的{n}"), timeout=30)
        for command in ("/note 已核对支付流水", "/stage 处理", "/resolve"):
            time.sleep(gap)
            peer.send_text(AGENT, STAFF_CHAT, command, first_name="小王", thread_id=thread)
        time.sleep(gap + 8)  # whatever the sender still holds or the limiter still waits for
        writes = staff_writes(peer)
        counts = Counter(c["method"] for c in writes)
        counts["(buyer relays)"] = sum(1 for c in writes if c["method"] == "sendMessage"
                                       and "买家补充" in str(c["params"].get("text")))
        return counts
    finally:
        kefu.stop()


def flood(peer: BotApiPeer, workdir: Path) -> tuple[float, int]:
    """16 tickets at once: seconds until all 16 cards show, and the writes it took."""
    kefu = start(peer, workdir)
    try:
        buyers = [7100 + n for n in range(FLOOD)]
        started = time.monotonic()
        for n, buyer in enumerate(buyers):
            peer.send_text(buyer, buyer, f"付了钱卡密没到 订单号:{ORDER.format(n)} 帮我补发")

        def cards() -> int:
            return sum(1 for m in peer.bot_messages(STAFF_CHAT) if buttons(m))

        wait_until(lambda: cards() >= FLOOD, timeout=180, what="all cards")
        return time.monotonic() - started, len(staff_writes(peer))
    finally:
        kefu.stop()


def main() -> None:
    """Run both scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose kefu runs")
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between agent actions")
    args = parser.parse_args()
    kefu_process.REPO = args.repo.resolve()  # KefuProcess starts `tools.cli` from there
    with BotApiPeer() as peer, tempfile.TemporaryDirectory() as tmp:
        for name in ("path", "flood"):
            (Path(tmp) / name).mkdir()
        path = normal_path(peer, Path(tmp) / "path", args.gap)
        seconds, flood_writes = flood(peer, Path(tmp) / "flood")
    relays = path.pop("(buyer relays)", 0)
    total = sum(path.values())
    print(f"kefu at {args.repo}")
    print(f"normal path: {total} staff-group writes ({relays} relayed buyer messages, "
          f"{total - relays} for topic, card and state): {dict(path)}")
    print(f"{FLOOD} tickets at once: all cards shown after {seconds:.1f} s, "
          f"{flood_writes} staff-group writes")


if __name__ == "__main__":
    main()
