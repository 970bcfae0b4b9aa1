"""Loading faq.yaml: the minimal shape works, broken files say what is wrong."""

from pathlib import Path

import pytest

from intents.contract import CONTRACT_IDS
from intents.faq import FaqError, load_faq

SHIPPED = Path(__file__).resolve().parent.parent / "faq.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_faq_needs_only_ids_and_examples(tmp_path: Path) -> None:
    faq = load_faq(write(tmp_path, "intents:\n  - {id: greeting, examples: [你好, 在吗]}\n"))
    intent = faq.get("greeting")
    assert intent.examples == ("你好", "在吗")
    assert (intent.action, intent.answer, intent.ticket) == ("answer", "", None)


def test_shipped_faq_has_every_contract_id_with_many_examples() -> None:
    faq = load_faq(SHIPPED)
    assert {i.id for i in faq.intents} >= set(CONTRACT_IDS)
    assert all(len(i.examples) >= 15 and i.answer for i in faq.intents)


def test_numeric_examples_are_read_as_text(tmp_path: Path) -> None:
    faq = load_faq(write(tmp_path, "intents:\n  - {id: goodbye, examples: [886]}\n"))
    assert faq.get("goodbye").examples == ("886",)


@pytest.mark.parametrize(("text", "message"), [
    ("just a string\n", "top-level 'intents:'"),
    ("intents:\n  - {examples: [你好]}\n", "needs an id"),
    ("intents:\n  - {id: a, examples: 你好}\n", "a.examples"),
    ("intents:\n  - {id: a, examples: [x], action: shout}\n", "a.action"),
    ("intents:\n  - {id: a, examples: [x], tier: Z}\n", "a.tier"),
    ("intents:\n  - {id: a, examples: [x], ticket: {order_no: maybe}}\n", "order_no"),
    ("intents:\n  - {id: a, examples: [x], ticket: {demand: 送花}}\n", "demand"),
    ("intents:\n  - {id: a, examples: [x]}\n  - {id: a, examples: [y]}\n", "defined twice"),
    ("intents:\n  - {id: " + "a" * 49 + ", examples: [x]}\n", "longer than 48 bytes"),
    ("intents: [\n", "cannot read"),
])
def test_broken_faq_raises_a_message_naming_the_problem(tmp_path: Path, text: str,
                                                        message: str) -> None:
    with pytest.raises(FaqError, match=message):
        load_faq(write(tmp_path, text))


def test_missing_file_raises_faq_error(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="cannot read"):
        load_faq(tmp_path / "nope.yaml")
