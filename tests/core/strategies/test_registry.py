"""The strategy registry: names in order, one entry per name, a clear refusal of unknown names."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from core.errors import ConfigError
from core.events import FinalAnswer, Step
from core.strategies.bare import BareStrategy
from core.strategies.base import ChainContext
from core.strategies.berry import BerryStrategy
from core.strategies.g1 import G1Strategy
from core.strategies.native import NativeStrategy
from core.strategies.registry import DEFAULT_STRATEGY, STRATEGIES, StrategyEntry, StrategyRegistry


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Step | FinalAnswer, None]:
        return
        yield


def test_the_registry_holds_g1_berry_bare_and_native_with_g1_the_default() -> None:
    assert STRATEGIES.names() == ("g1", "berry", "bare", "native")
    assert DEFAULT_STRATEGY in STRATEGIES.names()
    built = STRATEGIES.build_all()
    assert isinstance(built["g1"], G1Strategy)
    assert isinstance(built["berry"], BerryStrategy)
    assert isinstance(built["bare"], BareStrategy)
    assert isinstance(built["native"], NativeStrategy)
    assert STRATEGIES.build_all()["g1"] is not built["g1"]  # one instance per service
    assert all(entry.description for entry in STRATEGIES.entries())


def test_a_name_is_registered_once_and_refused_when_unknown() -> None:
    registry = StrategyRegistry([StrategyEntry(name="a", description="x", build=lambda: Named("a"))])
    with pytest.raises(ValueError, match="registered already"):
        registry.add(StrategyEntry(name="a", description="y", build=lambda: Named("a")))
    assert registry.check("a") == "a"
    with pytest.raises(ConfigError, match="unknown strategy 'b'; choose one of: a"):
        registry.check("b")


def test_added_registers_for_the_block_only() -> None:
    entry = StrategyEntry(name="tmp", description="x", build=lambda: Named("tmp"))
    with STRATEGIES.added(entry):
        assert STRATEGIES.names() == ("g1", "berry", "bare", "native", "tmp")
    assert STRATEGIES.names() == ("g1", "berry", "bare", "native")


@pytest.mark.parametrize("name", ["", "G1", "has space", "a:b", "x" * 33, "1st"])
def test_names_that_commands_and_keys_cannot_carry_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="strategy name"):
        StrategyEntry(name=name, description="x", build=lambda: Named(name))


def test_a_strategy_must_carry_its_registered_name() -> None:
    registry = StrategyRegistry([StrategyEntry(name="a", description="x", build=lambda: Named("b"))])
    with pytest.raises(ValueError, match="builds one named 'b'"):
        registry.build_all()
