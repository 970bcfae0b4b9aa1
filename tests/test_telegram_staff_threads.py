"""The staff group's threads: a title renames the ticket's topic, and nothing else does."""

from __future__ import annotations

import pytest

from bot.kefu import Kefu
from bot.outbox import deliver, to_staff
from bot.records import Outgoing
from bot.tickets import staff_card
from tests.fixtures_core import Buyer
from tests.telegram_offline import STAFF_CHAT, offline_app


def ticket_with_a_topic(k: Kefu) -> None:
    """T1001 with its topic (thread 77) and card (message 900) posted, nothing else to send."""
    Buyer(k).says("付了钱卡密没到 KM202411221530123456 补发")
    now = k.now()
    with k.store.transaction():
        for out in k.store.outbox.pending():
            k.store.outbox.mark_delivered(out.id, now)  # type: ignore[arg-type]
        k.store.staff_threads.save(1, STAFF_CHAT, 77, 900)


def queue_one(k: Kefu, out: Outgoing) -> None:
    with k.store.transaction():
        deliver(k.store, [out], k.now())


@pytest.mark.parametrize("forum", [True, False])
def test_a_title_renames_the_topic_and_without_topics_is_only_noted(kefu: Kefu,
                                                                   forum: bool) -> None:
    ticket_with_a_topic(kefu)
    queue_one(kefu, to_staff(1, "🔴 #T1001 S 卡密未到账", "title"))
    with offline_app(kefu) as tg:
        tg.runtime.forum = forum
        tg.deliver()
        renamed = tg.request.sent("editForumTopic")
        assert not tg.request.sent("sendMessage")
    expected = [{"chat_id": STAFF_CHAT, "message_thread_id": 77, "name": "🔴 #T1001 S 卡密未到账"}]
    assert renamed == (expected if forum else [])
    assert kefu.store.outbox.pending("staff") == []  # delivered either way


def test_editing_a_card_no_longer_renames_the_topic(kefu: Kefu) -> None:
    ticket_with_a_topic(kefu)
    queue_one(kefu, staff_card(kefu, kefu.store.tickets.get(1), kefu.now()))  # type: ignore[arg-type]
    with offline_app(kefu) as tg:
        tg.runtime.forum = True
        tg.deliver()
        assert len(tg.request.sent("editMessageText")) == 1
        assert tg.request.sent("editForumTopic") == []


def test_a_closed_ticket_closes_its_topic_and_a_repeated_title_is_not_sent_again(
        kefu: Kefu) -> None:
    ticket_with_a_topic(kefu)
    queue_one(kefu, to_staff(1, "🟣 #T1001 S 卡密未到账", "title"))
    queue_one(kefu, to_staff(1, "close", "topic"))
    with offline_app(kefu) as tg:
        tg.runtime.forum = True
        tg.deliver()
        queue_one(kefu, to_staff(1, "🟣 #T1001 S 卡密未到账", "title"))  # changes nothing
        tg.deliver()
        closed = tg.request.sent("closeForumTopic")
        renamed = tg.request.sent("editForumTopic")
    assert closed == [{"chat_id": STAFF_CHAT, "message_thread_id": 77}]
    assert len(renamed) == 1
    assert kefu.store.outbox.pending("staff") == []
