"""Rates written as settings: ``5/10m``, ``30/1h``, ``1/s``, ``100/day``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import ConfigError

__all__ = ["Rate"]

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_RATE = re.compile(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)")


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per ``period`` seconds."""

    limit: int
    period: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0:
            raise ConfigError(f"a rate needs a limit of at least 1 and a positive period, got {self}")

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.fullmatch(text.strip().lower())
        if match is None or match.group(3) not in _UNITS:
            raise ConfigError(f"cannot read rate {text!r}; write it like 5/10m, 30/1h or 1/s")
        count, multiple, unit = match.groups()
        return cls(limit=int(count), period=float(multiple or 1) * _UNITS[unit])

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate (GCRA's emission interval)."""
        return self.period / self.limit

    def __str__(self) -> str:
        return f"{self.limit}/{self.period:g}s"
