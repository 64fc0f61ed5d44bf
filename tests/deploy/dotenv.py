"""Reads ``.env.example``: each setting's name, the comment above it, its shown value and whether the Heroku button
asks for it (a :data:`BUTTON` line among its comments); and builds app.json's ``env`` from the settings so marked, so
the two documents cannot drift apart (``python -m tests.deploy.dotenv`` prints the env)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.lock import ROOT

__all__ = ["BUTTON", "HEROKU_PROVIDED", "HEROKU_VALUES", "Documented", "app_json_env", "documented"]

_LINE = re.compile(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$")
# The comment line that puts the setting below it in app.json: what a user sets when deploying with the button. The
# rest (internal tunables, the base URLs tests point at fakes) keep their defaults and stay out of the form.
BUTTON = "# Asked by the Heroku button (app.json)."

# Heroku sets these itself (the router's port; the Redis add-on's URL), so app.json must not ask for them.
HEROKU_PROVIDED = frozenset({"PORT", "REDIS_URL"})
# Values a Heroku deploy needs that differ from the defaults.
HEROKU_VALUES = {"THINKBOT_REDIS_SSL_CERT_REQS": "none", "THINKBOT_LOG_FORMAT": "json"}
REQUIRED = frozenset({"GROQ_API_KEY"})


@dataclass(frozen=True, slots=True)
class Documented:
    name: str
    description: str
    value: str
    commented: bool
    button: bool = False


def documented(path: Path = ROOT / ".env.example") -> list[Documented]:
    """Every ``NAME=value`` or ``#NAME=value`` line, with the ``#`` comment lines right above it (not BUTTON)."""
    found: list[Documented] = []
    comment: list[str] = []
    button = False
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            hashed, name, value = match.groups()
            found.append(Documented(name, " ".join(comment), value, commented=bool(hashed), button=button))
            comment, button = [], False
        elif line == BUTTON:
            button = True
        elif line.startswith("# ") and not line.startswith("# ---"):
            comment.append(line[2:].strip())
        else:
            comment, button = [], False
    return found


def app_json_env() -> dict[str, dict[str, object]]:
    env: dict[str, dict[str, object]] = {}
    for entry in documented():
        if not entry.button:
            continue
        item: dict[str, object] = {"description": entry.description, "required": entry.name in REQUIRED}
        if entry.name in HEROKU_VALUES:
            item["value"] = HEROKU_VALUES[entry.name]
        env[entry.name] = item
    return env


if __name__ == "__main__":
    print(json.dumps(app_json_env(), indent=2, ensure_ascii=False))
