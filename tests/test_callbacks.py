"""Button data: every kind survives the wire, old buttons still work, junk decodes to None."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbacks import (
    BUYER,
    MAX_BYTES,
    STAFF,
    ApproveRefund,
    Callback,
    Cancel,
    Claim,
    Demand,
    Edit,
    Escalate,
    Feedback,
    Human,
    Issue,
    NewIssue,
    NoOrder,
    Pick,
    Rate,
    Reopen,
    Resolve,
    SetStage,
    Status,
    Supplement,
    Withdraw,
    agent_act,
    decode,
    encode,
    for_staff,
)
from bot.events import AgentAct

BIG_ID = 10**18 - 1  # the largest id the wire carries: 18 digits
# Every wire string kefu has ever sent, and what it means now.
SENT = [
    ("pick:card_usage", Pick("card_usage")), ("issue:contact_human", Issue("contact_human")),
    ("demand:补发", Demand("补发")), ("no_order", NoOrder()), ("cancel", Cancel()),
    ("fb:yes", Feedback("yes")), ("fb:no", Feedback("no")), ("fb:wait", Feedback("wait")),
    ("human", Human()), ("status", Status()), ("edit", Edit()),
    ("edit:order_no", Edit("order_no")), ("edit:done", Edit("done")),
    ("withdraw:12", Withdraw(12)), ("rate:12:5", Rate(12, 5)), ("reopen:12", Reopen(12)),
    ("newissue", NewIssue()), ("supp:4", Supplement(4)), ("claim:3", Claim(3)),
    ("stage:3:核实", SetStage(3, "核实")),
    ("stage:3:处理", SetStage(3, "处理")), ("resolve:3", Resolve(3)),
    ("escalate:3", Escalate(3)), ("approve_refund:3", ApproveRefund(3)),
]
EXAMPLES = [cb for _, cb in SENT] + [
    Pick("a:b"), Rate(BIG_ID, 1), SetStage(BIG_ID, "反馈"), Demand("退" * 19)]


def test_every_kind_has_an_example() -> None:
    assert {type(cb) for cb in EXAMPLES} == set(BUYER) | set(STAFF)


@pytest.mark.parametrize("cb", EXAMPLES, ids=repr)
def test_every_kind_comes_back_the_same_within_telegrams_limit(cb: Callback) -> None:
    data = encode(cb)
    assert decode(data) == cb
    assert len(data.encode()) <= MAX_BYTES


@pytest.mark.parametrize(("data", "cb"), SENT, ids=[d for d, _ in SENT])
def test_buttons_on_messages_already_sent_keep_their_meaning_and_spelling(
        data: str, cb: Callback) -> None:
    assert decode(data) == cb
    assert encode(cb) == data


def test_the_old_refund_approval_button_decodes_to_its_own_kind() -> None:
    assert decode("stage:7:退款") == ApproveRefund(7)
    assert encode(ApproveRefund(7)) == "approve_refund:7"


@pytest.mark.parametrize("data", [
    "", ":", "nope", "nope:1", "Human", "human:", "human:1", "status:x", "newissue:1",
    "rate:1", "rate:1:", "rate:1:5:5", "rate:¹:5", "rate:01:5", "rate:1:٣", "rate:-1:5",
    "reopen:①", "reopen: 1", "reopen:1 ", "withdraw:0", "withdraw:1" + "0" * 18,
    "claim:" + "9" * 40, "claim:²", "resolve:", "stage:1x:处理", "stage:1", "stage::处理",
    "pick:", "issue:", "demand:", "edit:", "fb:", "pick:\u200b", "pick:a\x00", "pick:a\nb",
    "demand:\u202e补发", "escalate:1:2",
])
def test_junk_and_forged_data_decode_to_none(data: str) -> None:
    assert decode(data) is None


def test_data_over_64_bytes_decodes_to_none() -> None:
    assert decode("demand:" + "退" * 19) == Demand("退" * 19)  # 64 bytes exactly
    assert decode("demand:" + "退" * 20) is None
    assert decode("pick:" + "a" * 59) == Pick("a" * 59)
    assert decode("pick:" + "a" * 60) is None


@pytest.mark.parametrize("junk", [None, b"human", 5, ["human"], "\ud800", "pick:\udcff"])
def test_decode_never_raises_on_what_an_update_may_carry(junk: object) -> None:
    assert decode(junk) is None


@pytest.mark.parametrize("cb", [SetStage(1, "退款"), Pick(""), Pick("a b\n"), Pick("x" * 60),
                                Rate(1, -1), Rate(1, True), Withdraw(0), Claim(10**18)],
                         ids=repr)
def test_encode_refuses_what_would_not_come_back(cb: Callback) -> None:
    with pytest.raises(ValueError, match="no button data"):
        encode(cb)


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(st.one_of(st.text(max_size=80),
                 st.builds("{}:{}".format, st.sampled_from([c.kind for c in (*BUYER, *STAFF)]),
                           st.text(max_size=30))))
def test_whatever_decodes_encodes_back_to_the_same_button(data: str) -> None:
    cb = decode(data)
    if cb is not None:
        assert decode(encode(cb)) == cb


def test_staff_kinds_go_to_the_staff_side_valid_or_not() -> None:
    assert all(for_staff(d) for d in ("claim:1", "stage:1:核实", "approve_refund:x", "resolve:"))
    assert not any(for_staff(d) for d in ("claim", "pick:claim", "human", "", None, b"claim:1"))


def test_a_staff_button_becomes_the_agents_action() -> None:
    assert agent_act(SetStage(4, "核实"), 501, "tg:9") == AgentAct(
        501, "stage", 4, "核实", event_id="tg:9")
    assert agent_act(ApproveRefund(4), 501) == AgentAct(501, "approve_refund", 4)
    assert agent_act(Claim(4), 501).action == "claim"
