"""Table-driven tests for intents.demands: what a message asks for, and answers to "what do
you want?"."""

from __future__ import annotations

import pytest

from intents.demands import extract_demand, parse_demand_answer

KM = "KM202411221530123456"
PLAIN = "202411220001234567"

DEMANDS = [
    ("补发", "补发"),
    ("帮我补发一下", "补发"),
    ("重发一下", "补发"),
    ("再发一次", "补发"),
    ("重新发给我", "补发"),
    ("补一张", "补发"),
    ("换一张", "补发"),
    ("给我卡密", "补发"),
    ("把卡密发我", "补发"),
    ("重新充一下", "补发"),
    ("补充值", "补发"),
    ("我要补發", "补发"),
    ("補發", "补发"),
    ("补法一下", "补发"),  # typo
    ("退款", "退款"),
    ("退钱", "退款"),
    ("退回来", "退款"),
    ("把钱退了", "退款"),
    ("不要了", "退款"),
    ("退货", "退款"),
    ("申请退款", "退款"),
    ("tk", "退款"),
    ("TK吧", "退款"),
    ("退宽", "退款"),
    ("推款", "退款"),
    ("返还", "退款"),
    ("我想退钱", "退款"),
    ("查一下", "查询"),
    ("查查", "查询"),
    ("帮我看看", "查询"),
    ("看下", "查询"),
    ("什么情况", "查询"),
    ("到哪了", "查询"),
    ("进度", "查询"),
    ("状态", "查询"),
    ("怎么回事", "查询"),
    ("卡密到哪了", "查询"),
    ("退款到哪了", "查询"),  # asks about the refund, does not ask for one
    ("退款进度", "查询"),
    ("退款了吗", "查询"),
    ("发货了吗", "查询"),
    ("怎么还不发货", "补发"),  # a complaint, not a refusal
    ("为什么不给我补发", "补发"),
    ("能不能补发", "补发"),
    ("能不能退", "退款"),
    ("可以退吗", "退款"),
    # negations and several demands
    ("不要退款 给我补发", "补发"),
    ("不用补发了直接退款", "退款"),
    ("不是要退款是要补发", "补发"),
    ("退款就算了 补发吧", "补发"),
    ("补发不了就退款", "补发"),
    ("能补发吗 不能就退款", "补发"),
    ("补发还没到，我要退款", "退款"),
    ("退款太慢了 补发吧", "补发"),
    ("要不退款吧", "退款"),
    ("查一下然后退款", "退款"),
    ("我要退款，退款多久到", "退款"),
    (f"订单{KM}没到 帮我补发", "补发"),
    # wishes that are neither resend, refund nor a check
    ("充错号了 能不能撤回", "其他"),
    ("帮朋友充的结果充到我自己号上了 能转过去吗", "其他"),
    ("号被盗了 帮我找回", "其他"),
    ("充错号了 不行就退款 先帮我撤回", "其他"),
    ("充错号了 撤回不了就退款", "其他"),
    # pushing for the goods is asking for them
    ("卡密咋还没发过来 搞快点发我", "补发"),
    ("钻石没到 赶紧给我补上", "补发"),
    ("卡被冻结了 帮查下咋回事", "查询"),
    ("please check my order", "查询"),
]

NO_DEMAND = ["你好", "卡密没收到", "还没发货", "卡密提示已被冻结", "未补发",
             "不退款", "别给我补发", "我不要补发了", "你们下班了吗",
             "stkey", KM, "50元", "", "   "]


@pytest.mark.parametrize(("text", "expected"), DEMANDS)
def test_demand(text: str, expected: str) -> None:
    assert extract_demand(text) == expected


@pytest.mark.parametrize("text", NO_DEMAND)
def test_no_demand(text: str) -> None:
    assert extract_demand(text) is None


DEMAND_ANSWERS = [
    ("补发", ("补发", "补发")),
    ("退款", ("退款", "退款")),
    ("查询", ("查询", "查询")),
    ("退", ("退款", "退")),
    ("补", ("补发", "补")),
    ("查", ("查询", "查")),
    ("  换个号  ", ("补发", "换个号")),
    ("不退了 补吧", ("补发", "不退了 补吧")),
    ("其他", ("其他", "其他")),
    ("其他：想换个游戏", ("其他", "其他：想换个游戏")),
    ("都不是", ("其他", "都不是")),
    ("想问问能不能开发票", ("查询", "想问问能不能开发票")),
    ("随便", ("其他", "随便")),
    ("1", ("其他", "1")),  # numbered choices belong to the conversation core
    ("", ("其他", "")),
    ("  \n ", ("其他", "")),
]


@pytest.mark.parametrize(("text", "expected"), DEMAND_ANSWERS)
def test_parse_demand_answer(text: str, expected: tuple[str, str]) -> None:
    assert parse_demand_answer(text) == expected
