"""Parsers for the deploy files the tests check: Procfile lines and Dockerfile instructions."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.deploy.lock import ROOT

__all__ = ["dockerfile", "exec_form", "procfile"]

_PROCESS = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


def procfile(path: Path = ROOT / "Procfile") -> dict[str, str]:
    """Process type -> command, as Heroku and honcho read them (one ``name: command`` per line)."""
    processes: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        match = _PROCESS.match(line)
        assert match, f"not a Procfile line: {line!r}"
        name, command = match.groups()
        assert name not in processes, f"process {name} twice"
        processes[name] = command.strip()
    return processes


def dockerfile(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line.removesuffix(chr(92)).strip()}".strip()
        if line.endswith("\\"):
            continue
        keyword, _, rest = pending.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def exec_form(arguments: str) -> list[str]:
    """A CMD/ENTRYPOINT in exec form (a JSON array); anything else is a shell form, which we do not use."""
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    return [str(part) for part in value]
