"""HTTP mode: Slack's signed POSTs to an app's events endpoint, with retries, forged and stale signatures."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp

from tests.fakes.slack.response_urls import ResponseUrls

__all__ = ["HttpReply", "PostOptions", "SignedPoster", "sign"]


def sign(secret: str, timestamp: str, body: str) -> str:
    """``X-Slack-Signature``: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` keyed by the signing secret."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class PostOptions:
    """How one POST departs from a fresh, correctly signed first attempt."""

    retry_num: int | None = None
    retry_reason: str = "http_timeout"
    timestamp: int | None = None
    secret: str | None = field(default=None, repr=False)
    signature: str | None = None
    timeout: float | None = None


class SignedPoster:
    """Posts to ``url`` as Slack would. ``secret``/``timestamp``/``signature`` overrides forge or age a request."""

    def __init__(
        self, *, url: str, signing_secret: str, response_urls: ResponseUrls | None = None, timeout: float = 5.0
    ) -> None:
        self._url = url
        self._secret = signing_secret
        self._response_urls = response_urls
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post_event(self, payload: dict[str, Any], options: PostOptions | None = None) -> HttpReply:
        """POST an Events API JSON body (also ``url_verification``)."""
        return await self._post(json.dumps(payload), "application/json", options)

    async def post_command(self, payload: dict[str, str], options: PostOptions | None = None) -> HttpReply:
        """POST a slash command form. A 200 body (JSON, or plain text as Slack allows) is what the user is shown."""
        reply = await self._post(urllib.parse.urlencode(payload), "application/x-www-form-urlencoded", options)
        if self._response_urls is not None and reply.status == 200 and reply.body:
            shown = reply.json() if reply.body.startswith("{") else {"text": reply.body}
            self._response_urls.ephemeral_from_ack(payload.get("trigger_id", ""), shown)
        return reply

    async def post_interactive(self, payload: dict[str, Any], options: PostOptions | None = None) -> HttpReply:
        """POST an interactive payload (a shortcut's ``message_action``) as Slack does: the JSON in a ``payload``
        form field."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self._post(body, "application/x-www-form-urlencoded", options)

    async def deliver_event(
        self, payload: dict[str, Any], *, ack_timeout: float = 3.0, retries: int = 3, retry_delay: float = 0.0
    ) -> list[HttpReply | None]:
        """Slack's delivery: retry a timed-out (``None``) or failed attempt up to ``retries`` times with
        ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason``. Returns every attempt's reply."""
        attempts: list[HttpReply | None] = []
        reason = "http_timeout"
        for attempt in range(retries + 1):
            if attempt:
                await asyncio.sleep(retry_delay)
            options = PostOptions(retry_num=attempt or None, retry_reason=reason, timeout=ack_timeout)
            try:
                reply = await self.post_event(payload, options)
            except TimeoutError:
                attempts.append(None)
                reason = "http_timeout"
                continue
            attempts.append(reply)
            if reply.status < 300:
                break
            reason = "http_error"
        return attempts

    async def post_raw(self, body: str, content_type: str, options: PostOptions | None = None) -> HttpReply:
        """Any body, signed as Slack would sign it (or forged through ``options``): for malformed requests."""
        return await self._post(body, content_type, options)

    async def _post(self, body: str, content_type: str, options: PostOptions | None) -> HttpReply:
        options = options or PostOptions()
        timestamp = str(options.timestamp if options.timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": options.signature or sign(options.secret or self._secret, timestamp, body),
        }
        if options.retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(options.retry_num)
            headers["X-Slack-Retry-Reason"] = options.retry_reason
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=options.timeout or self._timeout)
        async with self._session.post(self._url, data=body.encode(), headers=headers, timeout=timeout) as resp:
            return HttpReply(status=resp.status, body=await resp.text(), headers=dict(resp.headers))
