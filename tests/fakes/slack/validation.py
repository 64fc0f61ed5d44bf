"""Slack's message limits: text length, block count, the per-block text limits that yield ``invalid_blocks``, and
the total text of a message's blocks, past which Slack answers ``msg_blocks_too_long``."""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "BLOCKS_TEXT",
    "MAX_BLOCKS",
    "MAX_TEXT",
    "SECTION_TEXT",
    "MessageError",
    "blocks_text",
    "check_message",
    "parse_blocks",
]

MAX_TEXT = 40_000
MAX_BLOCKS = 50
SECTION_TEXT = 3_000
SECTION_FIELDS = 10
FIELD_TEXT = 2_000
HEADER_TEXT = 150
MARKDOWN_TEXT = 12_000
# Undocumented: Slack refuses a message whose blocks hold more than about 13,000 characters of text in all, even
# when each block is within its own limit (13,297 with markdown blocks alone, less with other blocks; reported in
# slackapi/bolt-js#2509). The fake refuses at the low end of that range.
BLOCKS_TEXT = 13_000
CONTEXT_ELEMENTS = 10
BLOCK_ID = 255
KNOWN_BLOCKS = frozenset(
    {"section", "header", "divider", "context", "actions", "image", "rich_text", "markdown", "input", "file", "video"}
)


class MessageError(Exception):
    """A Slack error code (``error``) with Slack's ``errors`` detail list."""

    def __init__(self, error: str, errors: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.errors = errors or []


def parse_blocks(raw: Any) -> list[dict[str, Any]]:
    """Blocks arrive as a list (JSON body) or a JSON string (form body); anything else is ``invalid_blocks_format``."""
    if raw is None or raw == "":
        return []
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            raise MessageError("invalid_blocks_format") from None
    if not isinstance(value, list) or not all(isinstance(b, dict) for b in value):
        raise MessageError("invalid_blocks_format")
    return value


def check_message(text: str, blocks: list[dict[str, Any]], *, require_content: bool = True) -> None:
    """Raise :class:`MessageError` (``no_text``, ``msg_too_long``, ``invalid_blocks``) like Slack would."""
    if require_content and not text and not blocks:
        raise MessageError("no_text")
    if len(text) > MAX_TEXT:
        raise MessageError("msg_too_long")
    errors = _block_errors(blocks)
    if errors:
        raise MessageError("invalid_blocks", errors)
    if blocks_text(blocks) > BLOCKS_TEXT:
        raise MessageError("msg_blocks_too_long")


def blocks_text(blocks: list[dict[str, Any]]) -> int:
    """The characters of text all ``blocks`` hold: section text and fields, headers, context and markdown."""
    total = 0
    for block in blocks:
        text = block.get("text")
        objects = [text, *block.get("fields", ()), *block.get("elements", ())]
        total += len(text) if isinstance(text, str) else 0
        total += sum(len(o["text"]) for o in objects if isinstance(o, dict) and isinstance(o.get("text"), str))
    return total


def _block_errors(blocks: list[dict[str, Any]]) -> list[str]:
    if len(blocks) > MAX_BLOCKS:
        return [f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]"]
    errors: list[str] = []
    for i, block in enumerate(blocks):
        errors.extend(_one_block(block, f"/blocks/{i}"))
    return errors


def _one_block(block: dict[str, Any], at: str) -> list[str]:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        return [f"unsupported type {kind!r} [json-pointer:{at}/type]"]
    errors = []
    if len(str(block.get("block_id", ""))) > BLOCK_ID:
        errors.append(f"must be less than {BLOCK_ID + 1} characters [json-pointer:{at}/block_id]")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide text or fields [json-pointer:{at}]")
        if "text" in block:
            errors += _text_object(block["text"], SECTION_TEXT, f"{at}/text")
        fields = block.get("fields", [])
        if len(fields) > SECTION_FIELDS:
            errors.append(f"no more than {SECTION_FIELDS} items allowed [json-pointer:{at}/fields]")
        for j, item in enumerate(fields):
            errors += _text_object(item, FIELD_TEXT, f"{at}/fields/{j}")
    elif kind == "header":
        errors += _text_object(block.get("text"), HEADER_TEXT, f"{at}/text", plain_only=True)
    elif kind == "markdown":
        errors += _length(block.get("text"), MARKDOWN_TEXT, f"{at}/text")
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            errors.append(f"must hold 1 to {CONTEXT_ELEMENTS} items [json-pointer:{at}/elements]")
    return errors


def _text_object(obj: Any, limit: int, at: str, *, plain_only: bool = False) -> list[str]:
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return [f"must be a text object of type {' or '.join(allowed)} [json-pointer:{at}]"]
    return _length(obj.get("text"), limit, f"{at}/text")


def _length(text: Any, limit: int, at: str) -> list[str]:
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{at}]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}]"]
    return []
