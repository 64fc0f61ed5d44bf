"""Groq's Structured Outputs (``response_format`` ``json_schema``) for the fake server: who may use it, and checks.

As documented at console.groq.com/docs/structured-outputs ("Supported models", "Schema Requirements", "Error
Handling"; a copy read in this session): ``strict: true`` (constrained decoding, the output always follows the
schema) on ``openai/gpt-oss-20b`` and ``openai/gpt-oss-120b`` only; ``strict: false``, the default, best effort, on
those and a few more; every other model answers 400. In strict mode every object must set
``additionalProperties: false`` and list every property in ``required``. Streaming is not supported with
Structured Outputs. A best-effort reply that misses the schema is a 400 ``json_validate_failed`` with "Generated
JSON does not match the expected schema. Please adjust your prompt." and the ``failed_generation``.

Messages as Groq words them where seen in reports (the model refusal, "invalid schema for response format: ...");
the others (strict on a best-effort model, streaming) are the fake's own wording of the documented limits.
The subset of JSON Schema checked here is the one g1's step schema uses: object, string, number, integer, boolean,
array, ``enum``, ``properties``, ``required``, ``additionalProperties``, ``items``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BEST_EFFORT_MODELS", "STRICT_MODELS", "follows", "schema_format", "schema_refusal"]

STRICT_MODELS = ("openai/gpt-oss-20b", "openai/gpt-oss-120b")
BEST_EFFORT_MODELS = (
    *STRICT_MODELS,
    "openai/gpt-oss-safeguard-20b",
    "moonshotai/kimi-k2-instruct-0905",
    "meta-llama/llama-4-maverick-17b-128e-instruct",
    "meta-llama/llama-4-scout-17b-16e-instruct",
)
_DOCS = "https://console.groq.com/docs/structured-outputs#supported-models"

_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
    "integer": int,
    "boolean": bool,
}


def schema_format(body: dict[str, Any]) -> dict[str, Any] | None:
    """The request's ``response_format.json_schema`` object, or None when it does not ask for ``json_schema``."""
    fmt = body.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    inner = fmt.get("json_schema")
    return inner if isinstance(inner, dict) else {}


def schema_refusal(body: dict[str, Any]) -> str | None:
    """Why Groq refuses this request's ``json_schema`` (the 400 message), or None when it is accepted."""
    spec = schema_format(body)
    if spec is None:
        return None
    model = str(body.get("model"))
    if model not in BEST_EFFORT_MODELS:
        return f"This model does not support response format `json_schema`. See supported models at {_DOCS}"
    if not isinstance(spec.get("name"), str) or not isinstance(spec.get("schema"), dict):
        return "'response_format.json_schema' : properties 'name' (a string) and 'schema' (an object) are required"
    if body.get("stream") is True:
        return "Structured Outputs (response format `json_schema`) is not supported with streaming."
    if spec.get("strict") is True:
        if model not in STRICT_MODELS:
            return f"This model does not support `strict: true` for response format `json_schema`. See {_DOCS}"
        problem = _strict_problem(spec["schema"], "response_format/json_schema/schema")
        if problem is not None:
            return f"invalid schema for response format: {problem}"
    return None


def _strict_problem(schema: Any, path: str) -> str | None:
    """The first place where ``schema`` breaks strict mode's rules, or None."""
    if not isinstance(schema, dict):
        return f"{path}: must be an object"
    if schema.get("type") == "object":
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return f"{path}: additionalProperties must be false in strict mode"
        missing = sorted(set(properties) - set(schema.get("required") or []))
        if missing:
            return f"{path}: every property must be required in strict mode (missing {', '.join(missing)})"
        for name, sub in properties.items():
            found = _strict_problem(sub, f"{path}/properties/{name}")
            if found is not None:
                return found
    if "items" in schema:
        return _strict_problem(schema["items"], f"{path}/items")
    return None


def follows(text: str, schema: dict[str, Any]) -> bool:
    """Whether ``text`` is JSON that follows ``schema`` (the subset in the module docstring)."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return _fits(value, schema)


def _fits(value: Any, schema: Any) -> bool:
    if not isinstance(schema, dict):
        return True
    kind = schema.get("type")
    expected = _TYPES.get(kind) if isinstance(kind, str) else None
    if expected is not None and (not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, list):
        return all(_fits(item, schema.get("items")) for item in value)
    if not isinstance(value, dict):
        return True
    properties = schema.get("properties") or {}
    if any(name not in value for name in schema.get("required") or []):
        return False
    if schema.get("additionalProperties") is False and any(name not in properties for name in value):
        return False
    return all(_fits(value[name], sub) for name, sub in properties.items() if name in value)
