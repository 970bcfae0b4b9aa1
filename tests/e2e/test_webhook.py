"""`kefu run --webhook URL --listen ADDR --port N`: the peer POSTs updates to kefu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.kefu_process import AGENT, STAFF_CHAT, KefuProcess, free_port, write_config
from tests.e2e.peer import BotApiPeer
from tests.e2e.shop import BUYER, buttons, has, open_ticket, ticket_row


@pytest.fixture
def hooked_shop(bot_api: BotApiPeer, tmp_path: Path) -> Iterator[KefuProcess]:
    """kefu in webhook mode behind http://127.0.0.1:PORT/kefu-hook, staff in a forum."""
    bot_api.set_forum(STAFF_CHAT, True, title="售后客服组")
    bot_api.set_member(STAFF_CHAT, AGENT, "member")
    url = f"http://127.0.0.1:{free_port()}/kefu-hook"
    kefu = KefuProcess(bot_api, write_config(tmp_path), webhook_url=url).start()
    yield kefu
    kefu.stop()


def test_a_handoff_works_over_the_webhook(bot_api: BotApiPeer, hooked_shop: KefuProcess) -> None:
    _, card = open_ticket(bot_api)
    assert bot_api.webhook()["url"] == hooked_shop.webhook_url
    bot_api.press_button(AGENT, STAFF_CHAT, card["message_id"], buttons(card)["认领"])
    bot_api.wait_for_bot_message(BUYER, has("已接手工单 #T1001"), timeout=15)
    bot_api.send_text(AGENT, STAFF_CHAT, "正在补发", first_name="小王",
                      thread_id=card["message_thread_id"])
    bot_api.wait_for_bot_message(BUYER, has("【客服 小王】正在补发"), timeout=15)
    deliveries = bot_api.webhook()["deliveries"]
    assert deliveries and all(d["status"] == 200 for d in deliveries)
    assert not bot_api.calls("getUpdates")


def test_the_webhook_refuses_updates_without_telegrams_secret(
    bot_api: BotApiPeer, hooked_shop: KefuProcess
) -> None:
    forged = {"update_id": 999_999, "callback_query": {
        "id": "1", "chat_instance": "x", "data": "resolve:1",
        "from": {"id": AGENT, "is_bot": False, "first_name": "小王"}}}
    open_ticket(bot_api)
    answer = httpx.post(hooked_shop.webhook_url, json=forged, timeout=10)
    assert answer.status_code == 403
    assert ticket_row(hooked_shop)["stage"] == "受理"
