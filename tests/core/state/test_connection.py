"""Connection building: URL schemes, TLS options, pool bounds, secrets kept out of reprs and logs."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.connection import SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError

from core.errors import ConfigError
from core.state import RedisConfig, connect, connection_kwargs, redacted_url
from tests.redis_server import RedisServer, TlsFiles

SECRET_URL = "rediss://default:s3cr3t-pa55@redis.example.test:6380/2"


def test_plain_url_has_pool_bounds_and_no_tls_options() -> None:
    kwargs = connection_kwargs(RedisConfig(url="redis://127.0.0.1:6379/0", max_connections=7))
    assert kwargs["max_connections"] == 7
    assert kwargs["health_check_interval"] == 30
    assert kwargs["retry"].get_retries() == 2
    assert not any(key.startswith("ssl") for key in kwargs)


@pytest.mark.parametrize(("cert_reqs", "check_hostname"), [("none", False), ("optional", False), ("required", True)])
def test_rediss_url_carries_the_cert_setting(cert_reqs: str, check_hostname: bool) -> None:
    config = RedisConfig(url=SECRET_URL, ssl_cert_reqs=cert_reqs, ssl_ca_certs="/etc/ca.pem")  # type: ignore[arg-type]
    kwargs = connection_kwargs(config)
    assert kwargs["ssl_cert_reqs"] == cert_reqs
    assert kwargs["ssl_check_hostname"] is check_hostname
    assert kwargs["ssl_ca_certs"] == "/etc/ca.pem"


async def test_connect_builds_a_bounded_tls_pool_for_rediss() -> None:
    store = connect(RedisConfig(url=SECRET_URL, ssl_cert_reqs="none", max_connections=5, socket_timeout=1.5))
    try:
        pool = store.redis.connection_pool
        assert pool.connection_class is SSLConnection
        assert isinstance(pool, BlockingConnectionPool)
        assert pool.max_connections == 5
        assert pool.connection_kwargs["ssl_cert_reqs"] == "none"
        assert pool.connection_kwargs["socket_timeout"] == 1.5
        assert pool.connection_kwargs["host"] == "redis.example.test"
        assert pool.connection_kwargs["db"] == 2
        assert not store.embedded
    finally:
        await store.close()


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379", "unix:///tmp/redis.sock"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="redis:// or rediss://"):
        connection_kwargs(RedisConfig(url=url))


def test_secrets_stay_out_of_reprs_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    config = RedisConfig(url=SECRET_URL)
    assert "s3cr3t" not in repr(config)
    assert redacted_url(SECRET_URL) == "rediss://redis.example.test:6380/2"
    with caplog.at_level(logging.DEBUG):
        connect(config)
    assert "redis.example.test" in caplog.text
    assert "s3cr3t" not in caplog.text


async def test_embedded_store_warns_once_and_works(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="core.state"):
        store = connect(RedisConfig())
        await store.redis.set(store.keys.key("probe"), "1")
        assert await store.redis.get(store.keys.key("probe")) == b"1"
        await store.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "per process" in warnings[0].getMessage()
    assert store.embedded


def _self_signed(directory: Path) -> TlsFiles:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return TlsFiles(cert=cert, key=key, ca=cert)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RedisServer, TlsFiles]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    tls = _self_signed(tmp_path_factory.mktemp("tls"))
    with RedisServer(tls=tls) as server:
        yield server, tls


async def _ping(config: RedisConfig) -> bool:
    store = connect(config)
    try:
        return bool(await store.redis.ping())
    finally:
        await store.close()


async def test_self_signed_tls_server_needs_cert_checking_off_or_its_ca(
    tls_server: tuple[RedisServer, TlsFiles],
) -> None:
    server, tls = tls_server
    assert await _ping(RedisConfig(url=server.url, ssl_cert_reqs="none"))
    assert await _ping(RedisConfig(url=server.url, ssl_cert_reqs="required", ssl_ca_certs=str(tls.ca)))
    with pytest.raises(RedisConnectionError, match=r"(?i)certificate"):
        await _ping(RedisConfig(url=server.url, ssl_cert_reqs="required", retries=0))
