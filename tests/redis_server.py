"""A throwaway redis-server on a free loopback port, for tests and benchmarks.

    with RedisServer() as server:
        client = Redis.from_url(server.url)
        server.stop(); server.start()      # an outage on the same port

No persistence (``--save "" --appendonly no``); the data lives in memory and dies with the process. Optional TLS
(``tls=TlsFiles(...)``) serves ``rediss://`` only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "TlsFiles", "free_port", "redis_server_binary", "redis_url_or_server"]


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class TlsFiles:
    cert: Path
    key: Path
    ca: Path


class RedisServer:
    """Start with :meth:`start` (or ``with``); the port stays the same across :meth:`stop`/:meth:`start`."""

    def __init__(self, *, port: int | None = None, tls: TlsFiles | None = None, startup_timeout: float = 10.0) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self._binary = binary
        self.port = port or free_port()
        self._tls = tls
        self._startup_timeout = startup_timeout
        self._dir = tempfile.TemporaryDirectory(prefix="thinkbot-redis-")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'rediss' if self._tls else 'redis'}://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _command(self) -> list[str]:
        args = [self._binary, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self._dir.name]
        if self._tls is None:
            return [*args, "--port", str(self.port)]
        return [
            *args,
            *("--port", "0", "--tls-port", str(self.port)),
            *("--tls-cert-file", str(self._tls.cert), "--tls-key-file", str(self._tls.key)),
            *("--tls-ca-cert-file", str(self._tls.ca), "--tls-auth-clients", "no"),
        ]

    def start(self) -> None:
        if self.running:
            return
        log_path = Path(self._dir.name) / "redis.log"
        with log_path.open("ab") as log_file:
            self._proc = subprocess.Popen(self._command(), stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = log_path.read_text(errors="replace").strip()[-500:]
                raise RuntimeError(f"redis-server exited with {self._proc.returncode}: {tail}")
            if self._accepting():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port} within {self._startup_timeout} s")

    def _accepting(self) -> bool:
        if self._tls is not None:  # a TLS port cannot answer a plain PING; an open port is enough
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@contextlib.contextmanager
def redis_url_or_server() -> Iterator[str]:
    """``REDIS_URL`` when set, else the URL of a throwaway redis-server that lives as long as the block."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with RedisServer() as server:
        yield server.url
