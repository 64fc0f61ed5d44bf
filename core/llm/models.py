"""What each model can do, in one place: Structured Outputs here, reasoning as :mod:`core.llm.reasoning` decides.

Structured Outputs (``response_format`` ``json_schema``) on Groq, from console.groq.com/docs/structured-outputs
("Supported models"): ``strict: true``, constrained decoding that always follows the schema, on the two gpt-oss
models; ``strict: false``, best effort (valid JSON, the schema not guaranteed, a miss is a 400
``json_validate_failed``), on a few more; every other model refuses ``json_schema`` with 400 and gets JSON mode
(``json_object``). Structured Outputs do not stream. Model ids are Groq's, matched whole and case-insensitively; the
same ids on another OpenAI-compatible endpoint get the same treatment, and ``THINKBOT_STRUCTURED_OUTPUTS``
(:mod:`core.llm.structured`) overrides the table for any model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.llm.reasoning import reasoning_params

__all__ = ["STRUCTURED_OUTPUTS", "ModelTraits", "StructuredSupport", "model_traits", "structured_support"]

StructuredSupport = Literal["strict", "best-effort", "none"]

STRUCTURED_OUTPUTS: dict[str, StructuredSupport] = {
    "openai/gpt-oss-120b": "strict",
    "openai/gpt-oss-20b": "strict",
    "openai/gpt-oss-safeguard-20b": "best-effort",
    "moonshotai/kimi-k2-instruct-0905": "best-effort",
    "meta-llama/llama-4-maverick-17b-128e-instruct": "best-effort",
    "meta-llama/llama-4-scout-17b-16e-instruct": "best-effort",
}


@dataclass(frozen=True, slots=True)
class ModelTraits:
    """One model's row: its Structured Outputs support, and whether it reasons (spends tokens thinking first)."""

    structured_outputs: StructuredSupport
    reasons: bool


def structured_support(model: str) -> StructuredSupport:
    return STRUCTURED_OUTPUTS.get(model.strip().lower(), "none")


def model_traits(model: str) -> ModelTraits:
    return ModelTraits(structured_outputs=structured_support(model), reasons=reasoning_params(model).reasons)
