"""Normalisation: the canonical form every message and example is matched in."""

from pathlib import Path

import pytest

from intents.normalize import (
    MAX_CHARS,
    ORDER_TOKEN,
    build_synonyms,
    load_synonyms,
    normalize,
)


@pytest.fixture(scope="module")
def synonyms():
    """The shipped synonym table."""
    return load_synonyms()


def test_full_width_digits_and_letters_become_ascii(synonyms) -> None:
    assert normalize("买了１００张 ＯＫ", synonyms) == "买了100张 ok"


@pytest.mark.parametrize("text", ["卡密没到 花了五十块", "卡密没到 付了98元", "卡密没到 ５０块钱"])
def test_sums_of_money_do_not_weigh_on_the_match(synonyms, text: str) -> None:
    assert normalize(text, synonyms) == "卡密没到"
    assert normalize("充了648元宝", synonyms) == "充了648元宝"  # game currency is no price


def test_traditional_characters_become_simplified(synonyms) -> None:
    assert normalize("買了卡怎麼沒有卡密", synonyms) == "买了卡怎么没有卡密"


def test_emoji_and_punctuation_become_spaces(synonyms) -> None:
    assert normalize("卡密呢？？😭🙏 急!!!", synonyms) == "卡密呢 急"


def test_long_digit_runs_collapse_to_one_order_token(synonyms) -> None:
    text = normalize("卡密没到 KM202411221530123456 快点", synonyms)
    assert text == f"卡密没到 {ORDER_TOKEN} 快点"


def test_order_number_with_spaces_still_collapses(synonyms) -> None:
    assert ORDER_TOKEN in normalize("单号 2024 1122 0001 2345", synonyms)


def test_homophone_typos_map_to_the_domain_word(synonyms) -> None:
    assert normalize("卡米没收到", synonyms) == "卡密没收到"
    assert normalize("卡蜜呢", synonyms) == "卡密呢"
    assert normalize("冲值没到帐", synonyms) == "充值没到账"


def test_traditional_variant_of_a_typo_is_still_mapped(synonyms) -> None:
    assert normalize("儲值失敗", synonyms) == "充值失败"


def test_english_phrases_map_to_chinese_keywords(synonyms) -> None:
    assert normalize("refund pls", synonyms) == "退款 pls"
    assert normalize("account locked", synonyms) == "账号 冻结"
    assert normalize("I didn't get the card code", synonyms) == "i 没收到 the 卡密"


def test_ascii_variant_only_replaces_whole_words(synonyms) -> None:
    assert normalize("tk", synonyms) == "退款"
    assert normalize("stkey", synonyms) == "stkey"
    assert normalize("hire", synonyms) == "hire"


def test_longest_variant_wins() -> None:
    table = build_synonyms([("退", "x"), ("退钱", "退款")])
    assert normalize("退钱", table) == "退款"


def test_table_file_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "syn.tsv"
    path.write_text("# comment\n\n卡咪\t卡密  # inline\nbad-line\n", encoding="utf-8")
    assert normalize("卡咪", load_synonyms(path)) == "卡密"


def test_empty_table_leaves_text_alone() -> None:
    assert normalize("卡咪", build_synonyms([])) == "卡咪"


def test_text_is_cut_to_max_chars(synonyms) -> None:
    assert len(normalize("卡" * 10_000, synonyms)) == MAX_CHARS


@pytest.mark.parametrize("text", ["", "   \t\n", "😭😭😭", "\x00\x07\x1b\x7f", "？？！！"])
def test_text_without_content_normalises_to_empty(synonyms, text: str) -> None:
    assert normalize(text, synonyms) == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("點解我買咗張卡冇收到卡密㗎", "为什么我买了张卡没收到卡密啊"),
    ("收唔到", "收不到"),
    ("幾時到帳", "什么时候到账"),
    ("係唔係維護緊", "是不是维护紧"),
    ("俾我卡密", "给我卡密"),
    ("乜嘢事", "什么事"),
])
def test_cantonese_basics_read_as_mandarin(text: str, expected: str) -> None:
    from intents.normalize import load_synonyms, normalize
    assert normalize(text, load_synonyms()) == expected
