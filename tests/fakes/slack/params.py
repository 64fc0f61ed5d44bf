"""Read a Web API request the way Slack does: query string, form or JSON body, token from the header or form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.slack.api_errors import ApiError
from tests.fakes.slack.shapes import CHANNEL_ID

__all__ = ["Call", "channel_of", "flag", "read_call"]


@dataclass(frozen=True, slots=True)
class Call:
    """One request: its arguments (token removed) and the token, which never appears in reprs."""

    method: str
    params: dict[str, Any]
    token: str | None = field(default=None, repr=False)

    def text(self, name: str) -> str:
        value = self.params.get(name)
        return "" if value is None else str(value)


def channel_of(call: Call, name: str = "channel") -> str:
    """The channel id the call names; a missing or malformed one is ``channel_not_found``."""
    channel = call.text(name)
    if not CHANNEL_ID.match(channel):
        raise ApiError("channel_not_found")
    return channel


def flag(value: Any) -> bool:
    """Slack booleans: JSON true, or ``"true"``/``"1"`` in forms."""
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


async def read_call(request: web.Request, method: str) -> Call:
    params: dict[str, Any] = dict(request.query)
    token: str | None = None
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            body = await _json_body(request)
            params.update(body)
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
            token = params.get("token")
    params.pop("token", None)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ").strip()
    return Call(method=method, params=params, token=token)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text())
    except ValueError:
        raise ApiError("invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError("invalid_json")
    return body
