"""Key names under one prefix, so several bots (or test runs) can share one Redis."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Keys"]


@dataclass(frozen=True, slots=True)
class Keys:
    """Builds ``<prefix>:<kind>:<part>:...`` key names.

    Parts are opaque ids such as ``discord:123`` or a hex digest; colons inside them are kept as they are, which is
    fine because every kind has a fixed number of parts.
    """

    prefix: str = "thinkbot"

    def __post_init__(self) -> None:
        if not self.prefix or any(c.isspace() for c in self.prefix):
            raise ValueError(f"key prefix must be non-empty and without spaces, got {self.prefix!r}")

    def key(self, kind: str, *parts: str) -> str:
        return ":".join((self.prefix, kind, *parts))

    def pattern(self) -> str:
        """A SCAN/KEYS pattern matching every key under this prefix."""
        escaped = "".join("\\" + c if c in "*?[]\\" else c for c in self.prefix)
        return escaped + ":*"
