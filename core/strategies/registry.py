"""Every strategy the bot knows, by name: the one place a strategy is added.

The settings (``THINKBOT_STRATEGY``), the CLI's ``--strategy`` choices, the Discord command's choices and the wiring
(one instance of each strategy per service) all read :data:`STRATEGIES`; the cache key names the strategy that ran.
A new strategy is its module plus one line in the list below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.errors import ConfigError
from core.llm.reasoning import reasoning_params
from core.strategies.bare import BareStrategy
from core.strategies.base import Strategy
from core.strategies.berry import BerryStrategy
from core.strategies.g1 import G1Strategy
from core.strategies.native import NativeStrategy

__all__ = ["DEFAULT_STRATEGY", "STRATEGIES", "StrategyEntry", "StrategyRegistry"]

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def _any_model(model: str) -> bool:
    return True


def _reasoning_model(model: str) -> bool:
    return reasoning_params(model).reasons


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyEntry:
    """``name`` is what settings, commands and requests say; ``build`` makes the strategy (one per service);
    ``runs_on(model)``: whether it can run on that model at all (``thinkbot eval`` leaves out the pairs that
    cannot)."""

    name: str
    description: str
    build: Callable[[], Strategy]
    runs_on: Callable[[str], bool] = _any_model

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"a strategy name is 1 to 32 lowercase letters, digits, - or _, got {self.name!r}")


class StrategyRegistry:
    """Strategies by name, in the order they were added."""

    def __init__(self, entries: Iterable[StrategyEntry] = ()) -> None:
        self._entries: dict[str, StrategyEntry] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: StrategyEntry) -> None:
        if entry.name in self._entries:
            raise ValueError(f"strategy {entry.name!r} is registered already")
        self._entries[entry.name] = entry

    @contextmanager
    def added(self, entry: StrategyEntry) -> Iterator[StrategyEntry]:
        """``entry`` registered for the block only (tests register a throwaway strategy this way)."""
        self.add(entry)
        try:
            yield entry
        finally:
            del self._entries[entry.name]

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entries(self) -> tuple[StrategyEntry, ...]:
        return tuple(self._entries.values())

    def check(self, name: str) -> str:
        """``name`` when a strategy has it, else a :class:`ConfigError` listing the names there are."""
        if name not in self._entries:
            raise ConfigError(f"unknown strategy {name!r}; choose one of: {', '.join(self._entries)}")
        return name

    def build_all(self) -> dict[str, Strategy]:
        """One new instance of every strategy, by name (each must carry the name it is registered under)."""
        built = {name: entry.build() for name, entry in self._entries.items()}
        for name, strategy in built.items():
            if strategy.name != name:
                raise ValueError(f"strategy {name!r} builds one named {strategy.name!r}")
        return built


STRATEGIES = StrategyRegistry(
    [
        StrategyEntry(name="g1", description="a chain of titled JSON steps, after g1", build=G1Strategy),
        StrategyEntry(name="berry", description="answer, critique and refine, after Llamaberry", build=BerryStrategy),
        StrategyEntry(name="bare", description="the question alone, one plain call: the baseline", build=BareStrategy),
        StrategyEntry(
            name="native",
            description="a reasoning model's own reasoning, streamed as steps",
            build=NativeStrategy,
            runs_on=_reasoning_model,
        ),
    ]
)
DEFAULT_STRATEGY = "g1"
