"""intents/contract.py holds exactly the intent ids docs/intents.md defines."""

import re
from pathlib import Path

from intents.contract import CONTRACT_IDS

DOC = Path(__file__).resolve().parent.parent / "docs" / "intents.md"


def documented_ids() -> list[str]:
    """The first cell of every row of the taxonomy table."""
    rows = re.findall(r"^\| ([a-z_]+) \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    return [r for r in rows if r != "id"]


def test_every_documented_intent_is_in_the_code_and_every_coded_one_is_documented() -> None:
    assert set(documented_ids()) == set(CONTRACT_IDS)


def test_the_contract_lists_each_intent_once() -> None:
    assert len(set(CONTRACT_IDS)) == len(CONTRACT_IDS)
    assert len(set(documented_ids())) == len(documented_ids())
