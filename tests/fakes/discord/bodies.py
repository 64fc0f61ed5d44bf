"""Request bodies as discord.py sends them: JSON, or multipart with ``payload_json`` and ``files[n]``."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError

__all__ = ["read_json", "read_message_body"]


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return json.loads(await request.text())
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


async def read_message_body(request: web.Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The message JSON and, for multipart uploads, the attachment objects Discord would create."""
    if not request.content_type.startswith("multipart/"):
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return body, []
    payload: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        elif part.filename:
            data = await part.read()
            files.append({"filename": part.filename, "size": len(data)})
    return payload, files
