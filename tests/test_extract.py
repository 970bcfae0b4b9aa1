"""Table-driven tests for intents.extract: order number, amount, demand, answers to questions."""

from __future__ import annotations

import random
import time

import pytest

from intents.extract import (
    DEFAULT_ORDER_PATTERN,
    Details,
    canonical_order_no,
    extract,
    extract_amount,
    extract_demand,
    extract_order_no,
    looks_like_order_attempt,
    parse_demand_answer,
)

KM = "KM202411221530123456"
PLAIN = "202411220001234567"

ORDER_FOUND = [
    (KM, KM),
    (PLAIN, PLAIN),
    ("ＫＭ２０２４１１２２１５３０１２３４５６", KM),
    ("２０２４１１２２０００１２３４５６７", PLAIN),
    ("km202411221530123456", KM),
    ("Km202411221530123456", KM),
    ("KM 2024 1122 1530 1234 56", KM),
    ("KM2024 1122 1530 1234 56", KM),
    ("KM 202411221530123456", KM),
    ("KM-202411221530123456", KM),
    ("2024-1122-0001-2345-67", PLAIN),
    ("2024_1122_0001_2345_67", PLAIN),
    ("2024 1122 0001 2345 67", PLAIN),
    ("2024　1122　0001　2345　67", PLAIN),  # ideographic spaces
    (f"订单号:{KM}", KM),
    (f"订单号：{KM}", KM),
    (f"订单号: {PLAIN}", PLAIN),
    (f"单号{KM}", KM),
    (f"订单编号 {PLAIN}", PLAIN),
    (f"order#{KM}", KM),
    (f"Order No. {KM}", KM),
    (f"No.{PLAIN}", PLAIN),
    (f"#{PLAIN}", PLAIN),
    (f"order {PLAIN}", PLAIN),
    (f"NO {PLAIN}", PLAIN),
    (f"my order is {PLAIN}", PLAIN),
    (f"订单{KM}没到", KM),
    (f"{KM}卡密没收到", KM),
    (f"卡密没收到{KM}", KM),
    (f"我买的卡 {KM} 一直没到账", KM),
    (f"{KM}点券没到", KM),
    (f"{KM} 50元", KM),
    (f"{PLAIN} 13812345678", PLAIN),
    ("2024 1122 0001 2345 67 13812345678", PLAIN),
    ("KM 2024 1122 1530 1234 56 50元", KM),
    (f"2024-11-22 {PLAIN}", PLAIN),
    (f"工单T3001 订单{KM}", KM),
    (f"工单号 T1024 订单 {KM}", KM),
    (f"手机13812345678 订单{PLAIN}", PLAIN),
    (f"ABCD-EFGH-1234-5678 {PLAIN}", PLAIN),
    (f"{KM} 和 {PLAIN}", KM),  # several: the first
    (f"{PLAIN}\n{KM}", PLAIN),
    ("KM" + "1" * 12, "KM" + "1" * 12),  # shortest default
    ("ABCD" + "9" * 24, "ABCD" + "9" * 24),  # longest default
]

ORDER_NONE = [
    "T1024",
    "#T2048",
    "工单T3001",
    "工单号 T1024",
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "8613812345678",
    "QQ 123456789",
    "QQ号：12345678901",
    "qq 1234567890123",
    "2024-11-22",
    "2024/11/22 15:30",
    "2024-11-22 15:30:00",
    "11月22号",
    "¥50",
    "100元",
    "充了6480点券",
    "ABCD-EFGH-1234-5678",
    "ABCD-1234-5678-9012-3456",
    "X7K9P2M4Q8",
    "卡密 1234567890123456",
    "卡密是X7K9P2M4Q8202411220001234567",
    "ABCDEFG202411220001234567",  # too many letters: part of a secret
    "202411220001234567ABC",  # glued to letters after it
    "1" * 30,  # a 30-digit run holds no order number
    "2024 1122 0001 2345 6789 0123 4567",  # 28 digits spaced
    "KM2024",
    "KM12345678901",  # 11 digits
    "A" * 5 + "1" * 12,
    "游戏账号 123456789012",
    "",
]

CUSTOM = r"DD\d{10}"
CUSTOM_CASES = [
    ("DD1234567890", "DD1234567890"),
    ("dd1234567890", "DD1234567890"),
    ("订单ＤＤ１２３４５６７８９０没到", "DD1234567890"),
    ("DD 12345 67890", "DD1234567890"),
    ("单号: DD-1234-567890", "DD1234567890"),
    (KM, None),
    ("DD123456789", None),
    ("DD12345678901", None),
    ("XDD1234567890", None),
]


@pytest.mark.parametrize(("text", "expected"), ORDER_FOUND)
def test_order_found(text: str, expected: str) -> None:
    assert extract_order_no(text) == expected


@pytest.mark.parametrize("text", ORDER_NONE)
def test_order_distractors(text: str) -> None:
    assert extract_order_no(text) is None


@pytest.mark.parametrize(("text", "expected"), CUSTOM_CASES)
def test_custom_pattern(text: str, expected: str | None) -> None:
    assert extract_order_no(text, CUSTOM) == expected


AMOUNTS = [
    ("50块", 50.0),
    ("50块钱", 50.0),
    ("50元", 50.0),
    ("50 元", 50.0),
    ("¥50", 50.0),
    ("￥50", 50.0),
    ("¥ 9.9", 9.9),
    ("RMB50", 50.0),
    ("rmb 50", 50.0),
    ("人民币 30", 30.0),
    ("50r", 50.0),
    ("9.9元", 9.9),
    ("1,000元", 1000.0),
    ("５０元", 50.0),
    ("1万块", 10000.0),
    ("50块5", 50.5),
    ("300多块", 300.0),
    ("五十块", 50.0),
    ("一百二块", 120.0),
    ("花了一百二", 120.0),
    ("充了一百二没到账", 120.0),
    ("两百块", 200.0),
    ("付了两百", 200.0),
    ("三十八块八", 38.8),
    ("花了三十八块八毛", 38.8),
    ("十块", 10.0),
    ("一块五", 1.5),
    ("两块五毛钱", 2.5),
    ("五毛", 0.5),
    ("九点九元", 9.9),
    ("三百多块", 300.0),
    ("付了100", 100.0),
    ("充了200", 200.0),
    ("花了 648", 648.0),
    ("充值200没到账", 200.0),
    ("付了50.", 50.0),
    ("648元", 648.0),
    ("15:30付了50", 50.0),
    (f"{KM} 50元", 50.0),
    (f"订单{PLAIN} 付了 99.9 元", 99.9),
    ("买了一个月卡 30元", 30.0),
    ("20元的卡 买了3张", 20.0),
    ("付了30 又充了50元", 30.0),  # the first amount
    ("原神直充失败 328的 uid 123456789", 328.0),
    ("一百二的那个 还没到", 120.0),
    ("充錯帳號了 三百塊", 300.0),  # traditional characters
    ("支付寶轉了500", 500.0),
    ("topped up 100 yuan", 100.0),
    ("微信付的68", 68.0),
    ("扣了两次 每次二十", 20.0),
]

NO_AMOUNT = [
    "面值100的卡",
    "11月20号的单子",
    "第二的那个",
    "充了6480点券",
    "充了六千点券",
    "充了648元宝",
    "100元宝",
    "买了2张",
    "充了100个钻石",
    "充了60uc",
    "60UC",
    "充了30天月卡",
    "花了一天",
    "充了一下",
    "我们一块儿去",
    "第一块卡密不能用",
    KM,
    PLAIN,
    "13812345678",
    "付了13812345678",
    "2024-11-22",
    "付了2024-11-22",
    "付了15:30",
    "11月22号",
    "T1024",
    "工单T3001",
    "X7K9P2M4Q8",
    "1,000",
    "卡密没收到",
    "",
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amount(text: str, expected: float) -> None:
    assert extract_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", NO_AMOUNT)
def test_no_amount(text: str) -> None:
    assert extract_amount(text) is None


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


CANONICAL = [
    (KM, KM),
    ("km202411221530123456", KM),
    ("ＫＭ２０２４１１２２１５３０１２３４５６", KM),
    ("订单号：KM 2024 1122 1530 1234 56", KM),
    (f"  订单号: {PLAIN}。", PLAIN),
    (f"No.{PLAIN}", PLAIN),
    (f"order#{KM}", KM),
    ("2024-1122-0001-2345-67", PLAIN),
    ("KM2024", None),
    ("我没有订单号", None),
    ("abc", None),
    ("13812345678", None),
    ("8613812345678", None),
    (f"{KM} 谢谢", None),  # the whole answer must be the number
    (f"{KM} {PLAIN}", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_canonical_order_no(text: str, expected: str | None) -> None:
    assert canonical_order_no(text) == expected


ATTEMPTS = [
    ("KM2024", True),
    ("KM 2024 1122", True),
    ("13812345678", True),
    ("123456", True),
    ("ABCD-EFGH-1234-5678", True),
    ("订单号是KM20241122", True),
    ("1" * 30, True),
    (KM, False),  # valid, not a failed attempt
    (f"订单号 {PLAIN}", False),
    ("我没有订单号", False),
    ("abc", False),
    ("T1024", False),
    ("2024-11-22", False),
    ("12345", False),
    ("付了100元", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "expected"), ATTEMPTS)
def test_looks_like_order_attempt(text: str, expected: bool) -> None:
    assert looks_like_order_attempt(text) is expected


def test_attempt_respects_custom_pattern() -> None:
    assert looks_like_order_attempt("DD1234567890") is True
    assert looks_like_order_attempt("DD1234567890", CUSTOM) is False
    assert canonical_order_no("dd 1234 567890", CUSTOM) == "DD1234567890"


def test_extract_all_details() -> None:
    text = f"订单号：{KM} 付了五十块 一直没到 不要退款 给我补发"
    assert extract(text) == Details(KM, 50.0, "补发")


def test_extract_custom_pattern() -> None:
    assert extract("DD1234567890 补发", CUSTOM) == Details("DD1234567890", None, "补发")
    assert extract("DD1234567890 补发").order_no is None
    assert DEFAULT_ORDER_PATTERN == r"[A-Z]{0,4}\d{12,24}"


def test_details_frozen() -> None:
    with pytest.raises(AttributeError):
        Details().order_no = KM  # type: ignore[misc]


ODD_INPUTS = [
    "",
    "   \t\n ",
    "😀😀😀🙏",
    "\x00\x01\x02\x1b[31m\x7f",
    "\u200b\u200d\ufeff",
    "x" * 10_000,
    "1" * 10_000,
    "1 " * 5_000,
    "退" * 10_000,
    "一" * 10_000 + "块",
    "¥" * 10_000,
    "-_-" * 3_000,
    "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬",
    "\ud800",  # lone surrogate
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_never_raises(text: str) -> None:
    details = extract(text)
    assert isinstance(details, Details)
    canonical_order_no(text)
    looks_like_order_attempt(text)
    demand, _ = parse_demand_answer(text)
    assert demand in ("补发", "退款", "查询", "其他")


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01\x02", "\u200b"])
def test_empty_like_input_gives_nothing(text: str) -> None:
    assert extract(text) == Details()
    assert canonical_order_no(text) is None
    assert looks_like_order_attempt(text) is False


def test_random_text_never_raises() -> None:
    rng = random.Random(20241122)
    alphabet = "0123456789 -_#:：.,KMTkm元块毛充了付花退补查不要别¥+一二两十百千万😀\n"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        extract(text)
        canonical_order_no(text)
        looks_like_order_attempt(text)
        parse_demand_answer(text)


def test_speed_on_short_text() -> None:
    text = f"订单{KM}没到 付了50块 帮我补发"
    extract(text)
    runs = 2000
    start = time.perf_counter()
    for _ in range(runs):
        extract(text)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 0.001  # typically ~20 µs; loose bound so slow CI machines pass
