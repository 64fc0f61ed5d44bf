"""Building the Redis client: a real server from a URL, or an embedded in-process store when there is none."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ConfigError
from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["CertReqs", "RedisConfig", "Store", "check_redis_url", "connect", "connection_kwargs", "redacted_url"]

log = logging.getLogger(__name__)

CertReqs = Literal["none", "optional", "required"]
_SCHEMES = ("redis", "rediss")


@dataclass(frozen=True, slots=True, kw_only=True)
class RedisConfig:
    """Connection settings. ``url`` of ``None`` means the embedded store. The URL never appears in a repr.

    The pool holds at most ``max_connections``; a caller finding them all busy waits up to ``pool_timeout`` seconds
    for one instead of failing at once. Query options in the URL (``?ssl_cert_reqs=none``) win over these.
    """

    url: str | None = field(default=None, repr=False)
    key_prefix: str = "thinkbot"
    ssl_cert_reqs: CertReqs = "required"
    ssl_ca_certs: str | None = None
    max_connections: int = 32
    pool_timeout: float = 5.0
    health_check_interval: int = 30
    socket_timeout: float = 5.0
    socket_connect_timeout: float = 3.0
    retries: int = 2
    fail_open: bool = True
    probe_interval: float = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Store:
    """One client, its key names and its outage guard: what every state primitive is built from."""

    redis: Redis
    keys: Keys
    guard: RedisGuard
    embedded: bool

    async def close(self) -> None:
        await self.redis.aclose()


def check_redis_url(url: str) -> str:
    """``url`` when it names a Redis server we can connect to, else :class:`ConfigError` saying what is wrong.

    The message never repeats the URL, which may hold a password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # a port that is no number or out of range, a broken [IPv6] host
        raise ConfigError(
            f"Redis URL is malformed ({_reason(exc)}); expected redis://[:password@]host:port/db"
        ) from None
    if parts.scheme not in _SCHEMES:
        raise ConfigError(f"Redis URL must start with redis:// or rediss://, not {parts.scheme or 'nothing'}://")
    if not parts.hostname:
        raise ConfigError("Redis URL names no host; expected redis://[:password@]host:port/db")
    if port == 0:
        raise ConfigError("Redis URL has port 0; expected a port from 1 to 65535")
    database = parts.path.lstrip("/")
    if database and not database.isdecimal():
        raise ConfigError("Redis URL's database (after the last /) must be a number such as 0")
    return url


def _reason(exc: ValueError) -> str:
    text = str(exc)
    if "out of range" in text:
        return "its port is out of range"
    if "IPv6" in text:
        return "its [IPv6] host is not closed"
    return "its port is not a number"


def connection_kwargs(config: RedisConfig) -> dict[str, Any]:
    """Keyword arguments for ``BlockingConnectionPool.from_url(config.url, **kwargs)``; TLS ones only for
    ``rediss://``."""
    if config.url is None:
        raise ConfigError("no Redis URL configured")
    scheme = urlsplit(check_redis_url(config.url)).scheme
    kwargs: dict[str, Any] = {
        "max_connections": config.max_connections,
        "timeout": config.pool_timeout,
        "health_check_interval": config.health_check_interval,
        "socket_timeout": config.socket_timeout,
        "socket_connect_timeout": config.socket_connect_timeout,
        "socket_keepalive": True,
        "retry": Retry(ExponentialWithJitterBackoff(cap=0.5, base=0.05), config.retries),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }
    if scheme == "rediss":
        kwargs["ssl_cert_reqs"] = config.ssl_cert_reqs
        kwargs["ssl_check_hostname"] = config.ssl_cert_reqs == "required"
        if config.ssl_ca_certs:
            kwargs["ssl_ca_certs"] = config.ssl_ca_certs
    return kwargs


def connect(config: RedisConfig) -> Store:
    """Build (not yet connect) the client. Nothing is sent until the first command."""
    keys = Keys(config.key_prefix)
    if config.url is None:
        guard = RedisGuard(fail_open=config.fail_open, probe_interval=config.probe_interval)
        return Store(redis=_embedded(), keys=keys, guard=guard, embedded=True)
    guard = RedisGuard(
        fail_open=config.fail_open, probe_interval=config.probe_interval, pool_size=config.max_connections
    )
    client = Redis.from_pool(BlockingConnectionPool.from_url(config.url, **connection_kwargs(config)))
    log.info("Using Redis at %s with key prefix %r", redacted_url(config.url), config.key_prefix)
    return Store(redis=client, keys=keys, guard=guard, embedded=False)


def redacted_url(url: str) -> str:
    """``scheme://host:port/db`` without user or password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _embedded() -> Redis:
    import fakeredis  # only the embedded store needs it

    log.warning(
        "No REDIS_URL set: using an embedded in-process store; cache, limits, budgets and records are per process "
        "and lost on restart"
    )
    client: Redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    return client
