"""Conversation tests as data: every tests/dialogues/*.yaml played through the front door.

Run: python -m pytest tests/test_dialogues.py -q   (one dialogue: -k d01_card_missing)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from intents.match import Matcher
from tests.dialogue_runner import DialogueError, load, run_dialogue

DIALOGUES = sorted((Path(__file__).parent / "dialogues").glob("*.yaml"))


@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
def test_dialogue(path: Path, tmp_path: Path, matcher: Matcher) -> None:
    """Each dialogue file plays to the end with every expectation and invariant holding."""
    spec = load(path)
    if spec.get("item") is not None:
        assert path.stem.startswith(f"item{spec['item']}_"), "itemN_ files carry `item: N`"
    run_dialogue(spec, path.name, tmp_path, matcher)


def _inline(text: str) -> dict:
    return yaml.safe_load(text)


def test_runner_fails_on_a_wrong_expectation(tmp_path: Path, matcher: Matcher) -> None:
    """A wrong expectation fails, naming the file, the turn and what the buyer read."""
    spec = _inline("turns:\n- buyer: 你们几点上班\n- buyer: 卡密没收到\n"
                   "  expect: {says: [这句话不会出现]}\n")
    with pytest.raises(DialogueError) as failed:
        run_dialogue(spec, "inline.yaml", tmp_path, matcher)
    message = str(failed.value)
    assert "inline.yaml, turn 1" in message and "这句话不会出现" in message
    assert "→ me:" in message  # the buyer-facing texts of that turn are shown


def test_runner_refuses_unknown_kinds_and_missing_buttons(tmp_path: Path,
                                                         matcher: Matcher) -> None:
    """Typos in a dialogue fail instead of passing silently."""
    with pytest.raises(DialogueError, match="unknown expectation 'sayz'"):
        run_dialogue(_inline("turns:\n- buyer: 你好\n  expect: {sayz: [你好]}\n"),
                     "typo.yaml", tmp_path, matcher)
    with pytest.raises(DialogueError, match="no button like '不存在的按钮'"):
        run_dialogue(_inline("turns:\n- buyer: 你好\n- press: 不存在的按钮\n"),
                     "press.yaml", tmp_path / "x", matcher)


def test_runner_catches_a_repeated_text(tmp_path: Path, matcher: Matcher,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-repeat invariant is checked without being written. kefu's own guard against
    repeats (bot/outbox.py) is switched off here, so the runner's check is what must fail."""
    monkeypatch.setattr("bot.outbox.not_again", lambda text: text)
    spec = _inline("turns:\n- command: /start\n- command: /start\n")
    with pytest.raises(DialogueError, match="same text twice in a row"):
        run_dialogue(spec, "repeat.yaml", tmp_path, matcher)
