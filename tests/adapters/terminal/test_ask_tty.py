"""``thinkbot ask`` as a user runs it in a terminal: the installed entry point on a pseudo-terminal, against the fake
Groq. Piped runs (no terminal) are tests/bot/test_cli.py's; their output is unchanged."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bot.ask import EMBEDDED_NOTE
from tests.adapters.terminal.screen import plain, screen
from tests.fakes.groq_server import FakeGroq

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))


def step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": "reasoning", "next_action": next_action})


@pytest.fixture
def run_in_terminal(tmp_path: Path, fake_groq: FakeGroq):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_", "REDIS_"))}
    env.update(GROQ_API_KEY=fake_groq.api_key, GROQ_BASE_URL=fake_groq.base_url, TERM="xterm-256color", COLUMNS="100")
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CI"):
        env.pop(name, None)

    def run(*args: str, **extra: str) -> tuple[int, str]:
        """Exit code and everything the terminal got (stdout and stderr share it, as in a real one)."""
        main, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        process = subprocess.Popen(
            [THINKBOT, *args], cwd=tmp_path, env={**env, **extra}, stdin=child, stdout=child, stderr=child
        )
        os.close(child)
        received = bytearray()
        try:
            while chunk := _read(main):
                received += chunk
        finally:
            os.close(main)
        return process.wait(timeout=60), received.decode()

    return run


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the child side is closed, the process ended
        return b""


def test_ask_in_a_terminal_shows_the_step_being_thought_then_takes_the_spinner_down(run_in_terminal, fake_groq):
    fake_groq.reply(step("Spell the word"), delay=1.4).reply(step("Count the Rs", "final_answer")).reply("**3** Rs.")
    code, output = run_in_terminal("ask", "How many Rs are in strawberry?")
    assert code == 0, output
    written = plain(output)
    assert "Thinking step 1 · 1 s" in written
    assert written.index("Thinking step 1 · 1 s") < written.index("Step 1 · Spell the word")
    final = screen(output)
    assert not any("Thinking step" in line for line in final)
    assert [line.split("  ")[0] for line in final if line.startswith("Step ")] == [
        "Step 1 · Spell the word",
        "Step 2 · Count the Rs",
    ]
    assert "3 Rs." in final
    assert output.rfind("\x1b[?25h") > output.rfind("\x1b[?25l")  # the cursor is shown again


def test_ask_json_in_a_terminal_prints_only_json_lines(run_in_terminal, fake_groq):
    fake_groq.reply(step("Spell the word", "final_answer"), delay=1.2).reply("Three.")
    code, output = run_in_terminal("ask", "--json", "How many Rs?")
    assert code == 0, output
    assert "\x1b" not in output
    lines = [line for line in output.splitlines() if line != EMBEDDED_NOTE]  # the note, on stderr
    assert [json.loads(line)["type"] for line in lines] == ["chain_started", "step", "final_answer"]
