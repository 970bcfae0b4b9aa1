"""Shared fixtures: a loaded matcher, and a kefu on a real temporary SQLite file."""

# --- core: temp database, fake clock, kefu on the test FAQ (see fixtures_core.py) ---
from tests.fixtures_core import (  # noqa: F401
    clock,
    config_file,
    kefu,
    make_kefu,
    mini_matcher,
)
