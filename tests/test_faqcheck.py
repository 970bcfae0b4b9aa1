"""`kefu faq check`: problems that would make a FAQ misbehave are found."""

from pathlib import Path

import yaml

from intents.contract import CONTRACT_IDS
from tools.faqcheck import check_faq

SHIPPED = Path(__file__).resolve().parent.parent / "faq.yaml"


def complete_faq() -> dict:
    """A FAQ with every contract id, one distinct example and an answer each."""
    return {"intents": [{"id": i, "examples": [f"例子{n}号 {i}"], "answer": "好的"}
                        for n, i in enumerate(CONTRACT_IDS)]}


def errors_of(tmp_path: Path, data: dict) -> list[str]:
    path = tmp_path / "faq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return [p.message for p in check_faq(path) if p.level == "error"]


def test_shipped_faq_has_no_problems() -> None:
    assert check_faq(SHIPPED) == []


def test_complete_faq_has_no_errors(tmp_path: Path) -> None:
    assert errors_of(tmp_path, complete_faq()) == []


def test_missing_contract_id_is_an_error(tmp_path: Path) -> None:
    data = complete_faq()
    data["intents"] = [i for i in data["intents"] if i["id"] != "refund_request"]
    assert errors_of(tmp_path, data) == ["missing intent id: refund_request"]


def test_a_partial_faq_is_one_line_naming_every_missing_id(tmp_path: Path) -> None:
    data = complete_faq()
    data["intents"] = data["intents"][:1]
    errors = errors_of(tmp_path, data)
    assert len(errors) == 1
    assert all(i in errors[0] for i in CONTRACT_IDS[1:])
    assert f"({len(CONTRACT_IDS) - 1} of {len(CONTRACT_IDS)}" in errors[0]


def test_empty_answer_is_an_error(tmp_path: Path) -> None:
    data = complete_faq()
    data["intents"][0]["answer"] = "  "
    assert errors_of(tmp_path, data) == [f"intent {CONTRACT_IDS[0]} has an empty answer"]


def test_example_under_two_intents_is_an_error_even_when_spelled_differently(
        tmp_path: Path) -> None:
    data = complete_faq()
    data["intents"][0]["examples"].append("卡密沒到")
    data["intents"][1]["examples"].append("卡米没到！")
    errors = errors_of(tmp_path, data)
    assert len(errors) == 1 and "卡密没到" in errors[0]


def test_unknown_id_is_only_a_warning(tmp_path: Path) -> None:
    data = complete_faq()
    data["intents"].append({"id": "gift_wrap", "examples": ["能包装吗"], "answer": "可以"})
    path = tmp_path / "faq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    levels = {p.level for p in check_faq(path) if "gift_wrap" in p.message}
    assert levels == {"warning"}


def test_unreadable_file_is_one_error(tmp_path: Path) -> None:
    problems = check_faq(tmp_path / "missing.yaml")
    assert [p.level for p in problems] == ["error"]
