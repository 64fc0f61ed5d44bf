"""Run ``thinkbot`` (or any Procfile command) as a real process with a clean environment, and watch it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp

__all__ = ["BIN", "Process", "clean_environment", "start"]

BIN = Path(sys.executable).parent
_OURS = ("THINKBOT_", "GROQ_", "DISCORD_", "SLACK_", "REDIS_", "OPENAI_", "PORT")


def clean_environment(**values: str) -> dict[str, str]:
    """This environment without any setting of ours (nor proxies), the venv first on PATH, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS) and "proxy" not in k.lower()}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env | values


@dataclass
class Process:
    process: asyncio.subprocess.Process

    async def ready(self, http: aiohttp.ClientSession, url: str, timeout: float = 45.0) -> None:  # noqa: ASYNC109
        """Wait until ``url``/readyz answers 200, failing early (with what it said) if the process exits."""
        last = "no answer"
        try:
            async with asyncio.timeout(timeout):
                while self.process.returncode is None:
                    try:
                        async with http.get(f"{url}/readyz") as response:
                            if response.status == 200:
                                return
                            last = await response.text()
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.05)
        except TimeoutError:
            self.terminate()
            _, err = await self.finished()
            raise AssertionError(f"{url} not ready after {timeout}s: {last}; it logged: {err[-2000:]}") from None
        raise AssertionError(f"exited with {self.process.returncode}: {await self.stderr()}")

    def terminate(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)

    async def finished(self, timeout: float = 15.0) -> tuple[int, str]:  # noqa: ASYNC109
        """Wait for the exit; its code and everything it wrote to stderr."""
        code, _, err = await self.finished_with_output(timeout)
        return code, err

    async def finished_with_output(self, timeout: float = 15.0) -> tuple[int, str, str]:  # noqa: ASYNC109
        """Wait for the exit; its code, its stdout (empty unless started with ``output``) and its stderr."""
        try:
            out, err = await asyncio.wait_for(self.process.communicate(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise
        return self.process.returncode or 0, (out or b"").decode(), err.decode()

    async def stderr(self) -> str:
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode()


async def start(command: str, *, env: dict[str, str], cwd: Path, output: bool = False) -> Process:
    """Start ``command`` through the shell, as Heroku and honcho run a Procfile line; ``output`` keeps its stdout.

    ``exec`` makes the command the shell's process, so SIGTERM reaches it as it does on a dyno (where every
    process gets the signal).
    """
    process = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        f"exec {command}",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE if output else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return Process(process=process)
