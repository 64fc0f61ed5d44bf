"""Adapters never touch Redis: what they keep goes through the port (``core.port.ThinkPort``), so they import no
Redis client and no state primitive, only the records' data types."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).parents[2] / "adapters"
DATA_TYPES = frozenset({"ChainRecord", "ChainStatus", "MessageLink"})


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every import in ``path``; ``name`` is ``*`` for a plain ``import module``."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "*") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(ADAPTERS.rglob("*.py")), ids=lambda p: str(p.relative_to(ADAPTERS)))
def test_an_adapter_module_reaches_redis_only_through_the_core(path: Path) -> None:
    for module, name in _imports(path):
        assert module.split(".")[0] not in ("redis", "fakeredis"), f"imports {module}"
        if module == "core.state":
            assert name in DATA_TYPES, f"imports {name} from core.state"
        else:
            assert not module.startswith("core.state."), f"imports {module}.{name}"
