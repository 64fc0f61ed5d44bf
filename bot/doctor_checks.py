"""The checks ``thinkbot doctor`` runs: one real call per configured piece, each turned into a :class:`Finding`.

Every call goes to the base URL from settings (so tests point them at the fakes) with a short timeout, and no
finding ever repeats a token: details name the account, model, version or error code only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import aiohttp
import groq
import openai
from redis.asyncio import Redis
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.discord import invite_url
from bot.discord_settings import DiscordSettings
from bot.settings import Settings
from bot.slack_settings import SlackSettings
from core.errors import ConfigError
from core.state import connection_kwargs, redacted_url

__all__ = ["TIMEOUT", "Finding", "check_discord", "check_llm", "check_redis", "check_slack"]

TIMEOUT = 10.0

Status = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One row of the table; ``fix`` says in words what to do when ``status`` is ``fail`` or ``warn``; ``url``, a
    link to open, is printed on a line of its own."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    url: str = ""


async def check_llm(settings: Settings) -> Finding:
    """The key works (models list) and the configured model is among the models it may use."""
    name = "Groq" if settings.provider == "groq" else "LLM (OpenAI-compatible)"
    try:
        settings.require_llm()
    except ConfigError as exc:
        return Finding(name, "fail", "not configured", exc.message)
    try:
        models = await _model_ids(settings)
    except (groq.AuthenticationError, openai.AuthenticationError):
        variable = "GROQ_API_KEY" if settings.provider == "groq" else "OPENAI_API_KEY"
        return Finding(name, "fail", "the key was refused (401)", f"Create a new key and set {variable}.")
    except (groq.APIError, openai.APIError) as exc:
        return Finding(name, "fail", f"models list failed: {type(exc).__name__}", _reach_fix(settings))
    if settings.model not in models:
        near = ", ".join(sorted(models)[:6]) or "none"
        return Finding(
            name, "fail", f"model {settings.model} is not available", f"Set THINKBOT_MODEL to one of: {near}."
        )
    return Finding(name, "ok", f"key accepted; model {settings.model} available ({len(models)} models)")


async def _model_ids(settings: Settings) -> set[str]:
    if settings.provider == "groq":
        assert settings.groq_api_key is not None
        key, base = settings.groq_api_key.get_secret_value(), settings.groq_base_url
        async with groq.AsyncGroq(api_key=key, base_url=base, timeout=TIMEOUT, max_retries=0) as client:
            return {model.id for model in (await client.models.list()).data}
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    async with openai.AsyncOpenAI(
        api_key=key, base_url=settings.openai_base_url, timeout=TIMEOUT, max_retries=0
    ) as client:
        return {model.id async for model in client.models.list()}


def _reach_fix(settings: Settings) -> str:
    if settings.provider == "groq":
        where = settings.groq_base_url or "https://api.groq.com"
        return f"Check that {where} is reachable from here (GROQ_BASE_URL) and that Groq is up."
    return f"Check that THINKBOT_OPENAI_BASE_URL ({settings.openai_base_url}) is reachable and serves /models."


async def check_redis(settings: Settings) -> Finding:
    """PING and the server's version; no URL means the embedded store, which a restart empties."""
    config = settings.redis_config()
    if config.url is None:
        return Finding(
            "Redis",
            "warn",
            "embedded (no REDIS_URL): cache, limits and records are lost on restart and not shared",
            "Set REDIS_URL (Heroku Redis, Upstash or any Redis) so processes share state and survive restarts.",
        )
    where = redacted_url(config.url)
    try:
        kwargs = {k: v for k, v in connection_kwargs(config).items() if k not in ("max_connections", "timeout")}
        client = Redis.from_url(config.url, **kwargs)
        try:
            await client.ping()
            info = await client.info("server")
        finally:
            await client.aclose()
    except ConfigError as exc:
        return Finding("Redis", "fail", "the URL is not usable", exc.message)
    except (RedisError, OSError) as exc:
        fix = "Check REDIS_URL (host, port, password; rediss:// for TLS) and that the server accepts connections."
        return Finding("Redis", "fail", f"{where}: {type(exc).__name__}", fix)
    return Finding("Redis", "ok", f"{where}: Redis {info.get('redis_version', '?')}")


async def check_discord(settings: DiscordSettings) -> list[Finding]:
    """The bot token (users/@me) and the URL that adds the bot to a server."""
    token = settings.token.get_secret_value().strip() if settings.token is not None else ""
    if not token:
        return [Finding("Discord", "skip", "DISCORD_TOKEN not set")]
    headers = {"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (thinkbot doctor, 0.1)"}
    url = f"{settings.api_base.rstrip('/')}/users/@me"
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url, headers=headers) as response:
            status, body = response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        fix = f"Check that {settings.api_base} is reachable (THINKBOT_DISCORD_API_BASE)."
        return [Finding("Discord", "fail", f"users/@me failed: {type(exc).__name__}", fix)]
    if status == 401:
        fix = "Reset the token on the Bot page of the Discord developer portal and set DISCORD_TOKEN."
        return [Finding("Discord", "fail", "the token was refused (401)", fix)]
    if status != 200 or not isinstance(body, dict):
        return [Finding("Discord", "fail", f"users/@me answered {status}", "Try again; check Discord's status page.")]
    found = Finding("Discord", "ok", f"signed in as {body.get('username')} (id {body.get('id')})")
    app_id = settings.application_id or int(body.get("id") or 0)
    invite = (
        Finding("Discord invite", "ok", "open it to add the bot to a server", url=invite_url(app_id))
        if app_id
        else None
    )
    return [found, invite] if invite else [found]


async def check_slack(settings: SlackSettings) -> list[Finding]:
    """The bot token (auth.test) and, for Socket Mode, the app token (apps.connections.open)."""
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        return [Finding("Slack", "skip", "SLACK_BOT_TOKEN not set")]
    try:
        credentials = settings.credentials()
    except ConfigError as exc:
        return [Finding("Slack", "fail", "tokens incomplete", exc.message)]
    base = settings.api_url or AsyncWebClient.BASE_URL
    bot = AsyncWebClient(token=credentials.bot_token, base_url=base, timeout=int(TIMEOUT))
    try:
        me = await bot.auth_test()
    except SlackApiError as exc:
        fix = "Reinstall the app to the workspace and copy the Bot User OAuth Token (xoxb-) into SLACK_BOT_TOKEN."
        return [Finding("Slack bot token", "fail", f"auth.test: {exc.response.get('error')}", fix)]
    except (aiohttp.ClientError, TimeoutError) as exc:
        return [
            Finding("Slack bot token", "fail", f"auth.test: {type(exc).__name__}", f"Check that {base} is reachable.")
        ]
    found = [Finding("Slack bot token", "ok", f"{me.get('user')} in team {me.get('team')} ({settings.mode} mode)")]
    if credentials.app_token is None:
        return [*found, Finding("Slack HTTP mode", "ok", "signing secret set; Slack posts to /slack/events")]
    app = AsyncWebClient(token=credentials.app_token, base_url=base, timeout=int(TIMEOUT))
    try:
        await app.apps_connections_open(app_token=credentials.app_token)
    except SlackApiError as exc:
        fix = "Create an app-level token with connections:write (Basic Information) and set SLACK_APP_TOKEN."
        return [*found, Finding("Slack app token", "fail", f"apps.connections.open: {exc.response.get('error')}", fix)]
    return [*found, Finding("Slack app token", "ok", "Socket Mode connections can open")]
