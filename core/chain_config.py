"""Knobs a chain runs with. Built from settings in ``bot/``; core never reads the environment."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChainConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainConfig:
    model: str
    temperature: float = 0.2
    step_max_tokens: int = 1024
    final_max_tokens: int = 2048
    step_cap: int = 25
    repair_limit: int = 2
    berry_turns: int = 3
    deadline: float = 300.0
    max_question_chars: int = 4000
