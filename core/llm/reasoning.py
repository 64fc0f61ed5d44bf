"""Which Groq reasoning parameters keep a model's hidden reasoning out of the visible answer.

Groq's reasoning models spend completion tokens thinking before they answer. Left alone they return that
thinking: ``gpt-oss`` models in ``message.reasoning`` (``include_reasoning`` defaults to true and
``reasoning_format`` is refused), qwen3 / QwQ / deepseek-r1 models inside ``<think>`` tags in the content
(``reasoning_format`` defaults to ``raw``). The chain wants the answer only, so it asks for neither, and leaves
room in the completion budget for the thinking it cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Effort", "ReasoningParams", "reasoning_params"]

_THINK_TAG_MODELS = ("qwen3", "qwen-3", "qwq", "deepseek-r1")

Effort = Literal["low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class ReasoningParams:
    """What to send for one model. Both None: not a reasoning model, send nothing."""

    include_reasoning: bool | None = None
    reasoning_format: Literal["hidden", "parsed"] | None = None
    reasoning_effort: Effort | None = None

    @property
    def reasons(self) -> bool:
        return self.include_reasoning is not None or self.reasoning_format is not None


def reasoning_params(model: str, *, effort: Effort | None = None, show: bool = False) -> ReasoningParams:
    """Decide from the model id (``openai/gpt-oss-120b``, ``qwen/qwen3-32b``, ...), case-insensitively.

    ``show`` asks for the reasoning in its own field instead (``include_reasoning=true`` on gpt-oss,
    ``reasoning_format="parsed"`` on the others): Groq refuses the other family's parameter with 400.

    ``effort`` (how long gpt-oss thinks before each answer) is sent to gpt-oss models only: Groq accepts
    low/medium/high there and refuses them for qwen3 and non-reasoning models.
    """
    name = model.lower()
    if "gpt-oss" in name:
        return ReasoningParams(include_reasoning=show, reasoning_effort=effort)
    if any(tag in name for tag in _THINK_TAG_MODELS):
        return ReasoningParams(reasoning_format="parsed" if show else "hidden")
    return ReasoningParams()
