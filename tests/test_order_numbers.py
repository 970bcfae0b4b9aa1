"""Table-driven tests for intents.order_numbers: the order number in a message, a whole reply
as one, and a failed attempt at one."""

from __future__ import annotations

import pytest

from intents.order_numbers import canonical_order_no, extract_order_no, looks_like_order_attempt

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


# 卡密 is the goods buyers miss as well as a secret's label (issue 13, item 7).
SHOP = r"KM\d{18}"
ORDER_AFTER_CARD_WORD = [
    "steam卡付了钱没给卡密 KM202412041900000005",
    "付了钱没给卡密KM202412041900000005",
    "没收到卡密 KM202412041900000005",
    "卡密没到 KM202412041900000005",
    "卡密没到KM202412041900000005",
    "卡米没到 KM202412041900000005",  # the usual typo
    "没给卡米 KM202412041900000005",
    "卡密沒到 KM202412041900000005",  # traditional
    "沒給卡密 KM202412041900000005",
    "卡密 KM202412041900000005 一直没到",
    "卡密 KM 2024 1204 1900 0000 05",
    "没发卡密 订单 KM202412041900000005",
    "卡密: 1234567890123456 订单 KM202412041900000005",  # the code, then the order
]
CODE_AFTER_CARD_WORD = [
    "卡密: ABCD-EFGH-1234",
    "卡密：ABCD-EFGH-1234",
    "卡密是 ABCD-EFGH-1234",
    "卡密: 1234567890123456",
    "卡密是 123456789012345678",
    "卡密 123456789012345678",
    "卡米是1234567890123456",
    "卡密為: 1234567890123456",
    "卡密: KM202412041900000005",  # given as the code's value: the buyer says what it is
]


@pytest.mark.parametrize("text", ORDER_AFTER_CARD_WORD)
def test_order_after_card_word(text: str) -> None:
    assert extract_order_no(text, SHOP) == "KM202412041900000005"
    assert extract_order_no(text) == "KM202412041900000005"


@pytest.mark.parametrize("text", CODE_AFTER_CARD_WORD)
def test_card_code_is_no_order(text: str) -> None:
    assert extract_order_no(text, SHOP) is None
    assert extract_order_no(text) is None


def test_missing_card_code_frees_plain_digits() -> None:
    # "没收到卡密": the code is missing, so the digits cannot be it.
    assert extract_order_no(f"没收到卡密 {PLAIN}") == PLAIN
    assert extract_order_no(f"卡密 {PLAIN}") is None
