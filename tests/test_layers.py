"""Imports point inward: tools → handlers → bot, intents; never the other way."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "bot": {"tools", "handlers", "telegram"},
    "intents": {"tools", "handlers", "telegram", "bot"},
    "handlers": {"tools"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every absolute import in a file, wherever it sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_never_imports_the_layers_outside_it(package: str) -> None:
    wrong = {f"{path.relative_to(REPO)}: {name}"
             for path in sorted((REPO / package).rglob("*.py"))
             for name in imported_packages(path) & FORBIDDEN[package]}
    assert wrong == set()
