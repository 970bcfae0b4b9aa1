"""Tests for intents.typed: buttons typed as words, and sentences that must not read as taps."""

from __future__ import annotations

import pytest

from intents.typed import action, cancel, is_bare_number, received, stars

STARS = [
    ("5", 5), ("５", 5), (" 5 ", 5), ("5!", 5), ("5星", 5), ("5 星", 5), ("５星", 5),
    ("五星", 5), ("五颗星", 5), ("5颗星", 5), ("5分", 5), ("满分", 5), ("好评", 5),
    ("好评！", 5), ("五星好评", 5), ("5星好评", 5), ("给5星", 5), ("给你们五星好评", 5),
    ("满意", 5), ("很满意", 5), ("非常满意", 5), ("非常满意！！", 5), ("滿意", 5),
    ("满意吧", 5), ("满意啊", 5), ("⭐⭐⭐⭐⭐", 5), ("★★★★★", 5), ("五", 5),
    ("4星", 4), ("四星", 4), ("4", 4), ("４", 4), ("四颗星", 4), ("不错", 4), ("还不错", 4),
    ("⭐⭐⭐⭐", 4),
    ("一般", 3), ("还行", 3), ("还行吧", 3), ("3星", 3), ("3", 3), ("三星", 3), ("一般般", 3),
    ("不满意", 2), ("不太满意", 2), ("2星", 2), ("两星", 2), ("二星", 2), ("2", 2),
    ("差评", 1), ("很差", 1), ("太差了", 1), ("太差了！", 1), ("1星", 1), ("一星", 1),
    ("差評", 1), ("1", 1), ("非常不满意", 1), ("⭐", 1),
]

NOT_STARS = [
    "", "   ", "0", "6", "10", "55", "4.5", "5000", "KM202412041900000005",
    "不满意你们的服务, 卡密还没到",
    "满意个屁 卡密都没到",
    "5星都不想给 钱扣了没到账",
    "充值5块没到",
    "5块",
    "我买了5张卡",
    "好",  # an acknowledgement, not a rating
    "谢谢",
    "卡密没收到",
    "⭐⭐⭐⭐⭐⭐",
    "给5",
    "第5个",
]


@pytest.mark.parametrize(("text", "expected"), STARS)
def test_stars(text: str, expected: int) -> None:
    assert stars(text) == expected


@pytest.mark.parametrize("text", NOT_STARS)
def test_not_stars(text: str) -> None:
    assert stars(text) is None


ACTIONS = [
    ("修改信息", "edit"), ("修改", "edit"), ("改信息", "edit"), ("改订单号", "edit"),
    ("订单号写错了", "edit"), ("订单号写错了！", "edit"), ("我要修改信息", "edit"),
    ("我想改一下信息", "edit"), ("單號寫錯了", "edit"), ("修改 信息", "edit"),
    ("撤销", "withdraw"), ("撤销工单", "withdraw"), ("撤回工单", "withdraw"),
    ("取消工单", "withdraw"), ("撤銷工單", "withdraw"), ("我要撤销工单", "withdraw"),
    ("撤销吧", "withdraw"),
    ("查看进度", "status"), ("查进度", "status"), ("进度", "status"), ("工单进度", "status"),
    ("查看進度", "status"), ("麻烦查进度", "status"), ("进度？", "status"),
    ("转人工", "human"), ("人工", "human"), ("人工客服", "human"), ("找人工", "human"),
    ("我要人工", "human"), ("真人", "human"), ("帮我转人工", "human"), ("轉人工", "human"),
    ("人工！！！", "human"), ("转人工 谢谢", "human"),
    ("新问题", "new"), ("是新问题", "new"), ("另一个问题", "new"), ("新的问题", "new"),
    ("补充", "supplement"), ("是补充", "supplement"), ("补充工单", "supplement"),
    ("补充信息", "supplement"), ("补充一下", "supplement"),
    ("订单号", "field:order_no"), ("诉求", "field:demand"), ("问题类型", "field:issue"),
    ("订单号。", "field:order_no"),
]

NOT_ACTIONS = [
    "", "5", "卡密没到", "修改信息后还是没到账 KM202412041900000005",
    "订单号 KM202412041900000005",
    "我的订单号是多少",
    "人工客服几点上班",  # business_hours answers that
    "你们人工都是摆设吗 卡密三天没到",
    "充值没到账 进度太慢了 我要退款",
    "补充一下 我又充了一笔也没到账",
    "新问题是 卡密用不了",
    "撤销了为什么还扣钱",
    "修改密码",
    "谢谢",
]


@pytest.mark.parametrize(("text", "expected"), ACTIONS)
def test_action(text: str, expected: str) -> None:
    assert action(text) == expected


@pytest.mark.parametrize("text", NOT_ACTIONS)
def test_not_action(text: str) -> None:
    assert action(text) is None


CANCELS = ["算了", "不用了", "算了 不用了", "算了，不用了", "不需要了", "不要了", "没事了",
           "取消", "cancel", "Cancel", "CANCEL", "退出", "好了不用了", "算了吧", "那算了",
           "不用了谢谢", "不用了 谢谢", "没事了 谢谢", "算了算了", "不用啦", "算了。",
           "不需要了！", "先不用了"]

NOT_CANCELS = ["", "5", "取消工单",  # the withdraw button
               "取消订单", "不用了 卡密还没到", "算了 给我退款吧", "不用谢",
               "算了 你们就是骗子 我要投诉", "不需要补发 要退款", "不要了 退钱",
               "谢谢", "好的"]


@pytest.mark.parametrize("text", CANCELS)
def test_cancel(text: str) -> None:
    assert cancel(text) is True


@pytest.mark.parametrize("text", NOT_CANCELS)
def test_not_cancel(text: str) -> None:
    assert cancel(text) is False


RECEIVED = ["已经收到了", "收到了", "到了到了", "已经到账了", "不需要了 已经收到了",
            "好了 已经充上了", "已经收到了 不需要了", "收到了谢谢", "收到了 谢谢",
            "到账了", "已到账", "已收到", "卡密收到了", "刚刚到账了", "已經收到了",
            "好了 到账了 谢谢", "可以用了", "不用了 已经到了", "到了"]

NOT_RECEIVED = ["", "还没收到", "没收到", "收到一半", "只收到一半", "收到了吗",
                "还没到账", "到账了吗", "到账了一部分", "好了没", "好了", "收到",
                "收到了 但是卡密用不了", "钱扣了 没到账", "已经收到了 但是少了100点券",
                "到了 但是充错账号了", "5"]


@pytest.mark.parametrize("text", RECEIVED)
def test_received(text: str) -> None:
    assert received(text) is True


@pytest.mark.parametrize("text", NOT_RECEIVED)
def test_not_received(text: str) -> None:
    assert received(text) is False


BARE = ["5", "５", " 5 ", "5!", "5。", "500", "123456", "１２３", "五", "五五", "1 2 3", "#5"]
NOT_BARE = ["", "5块", "5星", "1234567", "KM2024", "5个", "五星", "abc"]


@pytest.mark.parametrize("text", BARE)
def test_bare_number(text: str) -> None:
    assert is_bare_number(text)


@pytest.mark.parametrize("text", NOT_BARE)
def test_not_bare_number(text: str) -> None:
    assert not is_bare_number(text)


ODD = ["\x00\x01", "\u200b\u200d", "😀" * 50, "x" * 10_000, "满意" * 5_000, "\ud800", "⭐" * 1000]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_never_raises(text: str) -> None:
    assert stars(text) is None or stars(text) in range(1, 6)
    assert action(text) is None
    assert cancel(text) is False
    assert received(text) is False
    assert is_bare_number(text) is False
