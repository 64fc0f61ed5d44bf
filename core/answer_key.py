"""The cache key of a chain: the normalised question and everything else that changes its answer."""

from __future__ import annotations

from typing import Any

from core.chain_config import ChainConfig
from core.request import Turn
from core.state.cache import cache_key
from core.strategies.prompts import PROMPT_VERSION

__all__ = ["answer_key"]


def answer_key(question: str, strategy: str, config: ChainConfig, history: tuple[Turn, ...]) -> str:
    """What a chain of ``strategy`` with ``config`` for ``question`` (after ``history``) is cached and shared under."""
    options: dict[str, Any] = {
        "history": [[turn.question, turn.answer] for turn in history],
        "temperature": config.temperature,
        "step_cap": config.step_cap,
        "berry_turns": config.berry_turns,
        "step_max_tokens": config.step_max_tokens,
    }
    return cache_key(
        question=question, strategy=strategy, model=config.model, prompt_version=PROMPT_VERSION, options=options
    )
