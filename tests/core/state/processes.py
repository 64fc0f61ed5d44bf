"""Running :mod:`tests.core.state.peer` as a second OS process and reading its JSON lines."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from core.state import Store

__all__ = ["Peer"]

ROOT = Path(__file__).resolve().parents[3]
PATIENCE = 10.0
"""Seconds to wait for one line from the peer, or for it to exit."""


class Peer:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, url: str, store: Store, mode: str, arg: str) -> Peer:
        """Run ``mode`` against the Redis at ``url`` under ``store``'s key prefix."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "tests.core.state.peer", mode, url, store.keys.prefix, arg),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), PATIENCE)
        if not raw:
            err = await self.proc.stderr.read() if self.proc.stderr else b""
            raise AssertionError(f"peer ended early: {err.decode(errors='replace')[-2000:]}")
        data: dict[str, Any] = json.loads(raw)
        return data

    async def wait_for(self, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The first line carrying ``key``, and every line before it."""
        before: list[dict[str, Any]] = []
        while True:
            data = await self.line()
            if key in data:
                return data, before
            before.append(data)

    async def finish(self) -> int:
        return await asyncio.wait_for(self.proc.wait(), PATIENCE)

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
