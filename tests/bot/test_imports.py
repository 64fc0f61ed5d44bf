"""Fast start: each command imports only what it uses (issue 13, item 5).

``tests/adapters/test_layers.py`` holds the static import rules (what a module may name); these are the runtime
ones, checked in a fresh interpreter, since one eager import anywhere on the way pulls a whole SDK in: what
``import bot.cli`` (every ``--help``) and ``thinkbot ask`` on Groq load. The modules are read from
``-X importtime``'s report (``PYTHONPROFILEIMPORTTIME``), which lists every module the process imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.groq_server import FakeGroq

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))
PLATFORMS = frozenset({"discord", "slack_bolt", "slack_sdk"})
# Besides the platforms: the other provider's SDK, the eval chart's, and what only a running service needs.
NOT_AT_IMPORT = PLATFORMS | {"openai", "groq", "matplotlib", "aiohttp", "redis", "pydantic_settings", "rich"}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_"))}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return {**env, **extra}


def _imported(stderr: str) -> set[str]:
    """The top-level packages named in an ``-X importtime`` report."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    return names


def _loaded_by(module: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_clean_env(), capture_output=True, text=True, timeout=60, check=True
    )
    return {name.split(".")[0] for name in json.loads(result.stdout)}


@pytest.mark.parametrize("module", ["bot.cli", "bot.worker_command"])
def test_importing_the_cli_loads_no_sdk(module: str) -> None:
    loaded = _loaded_by(module)
    assert not loaded & NOT_AT_IMPORT, f"import {module} loads {sorted(loaded & NOT_AT_IMPORT)}"


@pytest.mark.parametrize(
    ("module", "unwanted"),
    [
        ("bot.run", PLATFORMS),  # thinkbot run, discord and slack: settings and plan, before an adapter starts
        ("bot.discord_run", PLATFORMS - {"discord"}),
        ("bot.slack_run", {"discord"}),
        ("bot.worker_run", PLATFORMS),  # thinkbot worker: the gateways post, the worker talks to no platform
    ],
)
def test_a_run_loads_only_the_platform_it_runs_and_one_provider(module: str, unwanted: set[str]) -> None:
    found = _loaded_by(module) & (unwanted | {"openai", "groq"})
    assert not found, f"import {module} loads {sorted(found)}"


def test_the_importtime_report_names_what_a_process_loads() -> None:
    """The report the next test reads does list an SDK when one is imported (so its silence means something)."""
    result = subprocess.run(
        [sys.executable, "-c", "import openai"],
        env=_clean_env(PYTHONPROFILEIMPORTTIME="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "openai" in _imported(result.stderr)


def test_ask_on_groq_loads_neither_chat_platform_nor_openai(tmp_path: Path, fake_groq: FakeGroq) -> None:
    fake_groq.reply("Four.")
    env = _clean_env(
        GROQ_API_KEY=fake_groq.api_key,
        GROQ_BASE_URL=fake_groq.base_url,
        THINKBOT_PROVIDER="groq",
        THINKBOT_STRATEGY="bare",
        PYTHONPROFILEIMPORTTIME="1",
    )
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [THINKBOT, "ask", "--json", "2+2?"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1])["text"] == "Four."
    loaded = _imported(result.stderr)
    assert "groq" in loaded
    unwanted = loaded & (PLATFORMS | {"openai", "matplotlib"})
    assert not unwanted, f"thinkbot ask on Groq loads {sorted(unwanted)}"
