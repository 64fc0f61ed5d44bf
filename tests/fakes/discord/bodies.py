"""Request bodies as discord.py sends them: JSON, or multipart with ``payload_json`` and ``files[n]``.

Uploads are held to Discord's limits (developer docs, Reference > Uploading Files, and Create Message): at most
10 files in one message, each within the upload limit (10 MiB by default, more in boosted servers; a fake
parameter), and at most 25 MiB in one request; over a size limit Discord answers 413 with code 40005.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError, max_length_error

__all__ = ["DEFAULT_UPLOAD_LIMIT", "MAX_FILES", "REQUEST_LIMIT", "read_json", "read_message_body"]

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024
REQUEST_LIMIT = 25 * 1024 * 1024
MAX_FILES = 10


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return json.loads(await request.text())
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


def _too_large() -> ApiError:
    return ApiError(413, 40005, "Request entity too large")


async def read_message_body(
    request: web.Request, *, upload_limit: int = DEFAULT_UPLOAD_LIMIT
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The message JSON and, for multipart uploads, the attachment objects Discord would create (with their
    bytes under ``data``, which the API never returns)."""
    if (request.content_length or 0) > REQUEST_LIMIT:
        raise _too_large()
    if not request.content_type.startswith("multipart/"):
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return body, []
    payload: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    total = 0
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        elif part.filename:
            data = await part.read()
            total += len(data)
            if len(data) > upload_limit or total > REQUEST_LIMIT:
                raise _too_large()
            files.append({"filename": part.filename, "size": len(data), "data": data})
    if len(files) > MAX_FILES:
        raise max_length_error(("files",), MAX_FILES)
    return payload, files
