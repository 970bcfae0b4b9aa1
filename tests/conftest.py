"""Shared fixtures: a loaded matcher, and a kefu on a real temporary SQLite file."""

from pathlib import Path

import pytest

from intents.match import Matcher, load_matcher

# --- core: temp database, fake clock, kefu on the test FAQ (see fixtures_core.py) ---
from tests.fixtures_core import (  # noqa: F401
    clock,
    config_file,
    kefu,
    make_kefu,
    mini_matcher,
)

# --- db: a store on a temp file (see fixtures_db.py) ---
from tests.fixtures_db import store  # noqa: F401

# --- intents: the matcher over the shipped faq.yaml ---
SHIPPED_FAQ = Path(__file__).resolve().parent.parent / "faq.yaml"


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The matcher over the shipped faq.yaml, built once per test run."""
    return load_matcher(SHIPPED_FAQ)
