"""The honest check: the shipped matcher on held-out buyer messages it was never tuned on."""

from pathlib import Path

import pytest

from intents.decide import Thresholds
from tools.evaluate import evaluate, load_cases

HELDOUT = Path(__file__).parent / "data" / "heldout.jsonl"


@pytest.fixture(scope="module")
def figures(matcher) -> dict:
    """Headline figures with the default thresholds, computed once."""
    return evaluate(matcher, load_cases(HELDOUT), Thresholds())[0]


def test_heldout_accuracy_reaches_target(figures) -> None:
    assert figures["accuracy"] >= 0.92, figures


def test_heldout_confidently_wrong_answers_stay_rare(figures) -> None:
    assert figures["confident_wrong"] <= 0.03, figures


def test_heldout_order_numbers_are_extracted(figures) -> None:
    assert figures["order_no_accuracy"] >= 0.97, figures


def test_heldout_demand_and_amount_are_extracted(figures) -> None:
    assert figures["demand_accuracy"] >= 0.85, figures
    assert figures["amount_accuracy"] >= 0.85, figures
