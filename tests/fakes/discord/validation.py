"""Message and thread bodies checked the way Discord checks them (limits from the Discord API documentation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .components import COMPONENTS_V2, check_components
from .errors import ApiError, form_error, max_length_error
from .world import Message

__all__ = ["CONTENT_LIMIT", "EMBED_DESCRIPTION_LIMIT", "check_edit", "check_message", "check_thread_name"]

CONTENT_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
_EMBED_LIMITS = {"title": 256, "description": EMBED_DESCRIPTION_LIMIT}
_PARSE_TYPES = {"users", "roles", "everyone"}


def check_message(body: Mapping[str, Any], *, has_files: bool = False, edit: bool = False, flags: int = 0) -> None:
    """Raise :class:`ApiError` for a body Discord would refuse: too long, empty, a bad allowed_mentions, or
    components Discord refuses under ``flags`` (see :mod:`.components`)."""
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        raise form_error(("content",), "BASE_TYPE_STRING", "Must be a string.")
    if content is not None and len(content) > CONTENT_LIMIT:
        raise max_length_error(("content",), CONTENT_LIMIT)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise max_length_error(("embeds",), 10)
    _check_embeds(embeds)
    _check_allowed_mentions(body.get("allowed_mentions"))
    check_components(body, flags=flags)
    shown = content or embeds or has_files or body.get("sticker_ids") or body.get("components")
    if not edit and not shown:
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_edit(message: Message, body: Mapping[str, Any]) -> int:
    """Check an edit of ``message`` and return its flags after it. ``IS_COMPONENTS_V2`` can be set, never unset
    (Discord ignores an attempt); what the edit leaves unchanged counts too (content left on a message turned
    Components V2 is refused)."""
    flags = message.flags | (int(body.get("flags") or 0) & COMPONENTS_V2)
    kept = {"content": message.content, "embeds": message.embeds, "components": message.components}
    check_message(kept | dict(body), edit=True, flags=flags)
    return flags


def _check_embeds(embeds: list[Mapping[str, Any]]) -> None:
    total = 0
    for index, embed in enumerate(embeds):
        for key, limit in _EMBED_LIMITS.items():
            text = embed.get(key) or ""
            if len(text) > limit:
                raise max_length_error(("embeds", index, key), limit)
            total += len(text)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise max_length_error(("embeds", index, "fields"), 25)
        for number, item in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                if len(item.get(key) or "") > limit:
                    raise max_length_error(("embeds", index, "fields", number, key), limit)
                total += len(item.get(key) or "")
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            text = (embed.get(key) or {}).get(sub) or ""
            if len(text) > limit:
                raise max_length_error(("embeds", index, key, sub), limit)
            total += len(text)
    if total > EMBED_TOTAL_LIMIT:
        raise form_error(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _check_allowed_mentions(allowed: Mapping[str, Any] | None) -> None:
    if allowed is None:
        return
    parse = allowed.get("parse") or []
    for index, kind in enumerate(parse):
        if kind not in _PARSE_TYPES:
            raise form_error(
                ("allowed_mentions", "parse", index),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {sorted(_PARSE_TYPES)}.",
            )
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            message = f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.'
            raise form_error(("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", message)


def check_thread_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise form_error(("name",), "BASE_TYPE_REQUIRED", "This field is required")
    if len(name) > 100:
        raise max_length_error(("name",), 100)
    return name
