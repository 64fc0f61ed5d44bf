"""The deploy files, checked against each other and against the code: Procfile, fly.toml, Dockerfile, app.json,
.env.example, requirements.lock."""

from __future__ import annotations

import json
import shlex
import tomllib

import pytest
from aiohttp import web
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.cli import cli
from bot.health import HealthServer
from core.metrics import Metrics
from tests.deploy.dotenv import HEROKU_PROVIDED, HEROKU_VALUES, app_json_env, documented
from tests.deploy.lock import HEADER, ROOT, closure, project_requirements
from tests.deploy.manifests import dockerfile, exec_form, procfile
from tests.deploy.variables import SETTINGS_CLASSES, variables


def served_paths() -> set[str]:
    app = HealthServer(metrics=Metrics()).mount(web.Application())
    return {route.resource.canonical for route in app.router.routes() if route.resource is not None}


def test_every_procfile_process_is_a_valid_thinkbot_run_or_worker():
    processes = procfile()
    assert set(processes) == {"web", "discord", "slack", "all", "worker"}
    for name, command in processes.items():
        program, *args = shlex.split(command)
        assert (program, args[0]) == ("thinkbot", "worker" if name == "worker" else "run"), name
        cli.commands[args[0]].make_context(args[0], args[1:])  # click rejects unknown options and adapters
    assert "--only slack" in processes["web"]  # Slack HTTP mode is the one process that needs the router


def test_fly_toml_runs_procfile_commands_with_checks_on_the_health_port():
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    commands = set(procfile().values())
    groups = fly["processes"]
    assert groups
    assert set(groups.values()) <= commands
    port = int(fly["env"]["PORT"])
    assert all("processes" not in check for check in fly["checks"].values()), "a check for every group"
    for check in fly["checks"].values():
        assert (check["type"], check["port"], check["path"]) == ("http", port, "/readyz")
    assert {"/healthz", "/readyz", "/metrics"} <= served_paths()
    assert (fly["metrics"]["port"], fly["metrics"]["path"]) == (port, "/metrics")
    assert fly["kill_signal"] == "SIGTERM"
    grace = SETTINGS_CLASSES[0].model_fields["shutdown_grace"].default
    assert fly["kill_timeout"] >= grace + 5
    assert "services" not in fly
    assert "http_service" not in fly
    assert fly["build"]["dockerfile"] == "Dockerfile"


def test_dockerfile_is_slim_non_root_pinned_and_runs_a_procfile_command():
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    kinds = [kind for kind, _ in steps]
    assert "ADD" not in kinds
    user = kinds.index("USER")
    assert steps[user][1] not in ("root", "0")
    assert all(kind != "RUN" for kind in kinds[user:]), "everything installed before dropping root"
    runs = [args for kind, args in steps if kind == "RUN"]
    assert any("pip install --no-deps --requirement requirements.lock" in run for run in runs)
    assert any("pip install --no-deps ." in run for run in runs)
    copied = [args.split()[0] for kind, args in steps if kind == "COPY"]
    assert copied[0] == "requirements.lock"  # dependencies in their own layer, before the code
    for source in [part for kind, args in steps if kind == "COPY" for part in args.split()[:-1]]:
        assert (ROOT / source).exists(), source
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert not ignored & {"README.md", "pyproject.toml", "requirements.lock", "core", "bot", "adapters"}
    cmd = exec_form(dict(steps)["CMD"])
    assert shlex.join(cmd) in procfile().values()
    assert dict(steps)["EXPOSE"] == "8080"
    assert "PORT=8080" in dict(steps)["ENV"].replace(" ", "")


def test_requirements_lock_pins_exactly_the_runtime_closure_consistently():
    text = (ROOT / "requirements.lock").read_text()
    assert text.startswith(HEADER)
    pins = dict(line.split("==") for line in text.splitlines()[1:])
    needed = closure(project_requirements())
    assert set(pins) == set(needed), "run: .venv/bin/python -m tests.deploy.lock > requirements.lock"
    for name, (_, requirements) in needed.items():
        for requirement in requirements:
            assert pins[name] in requirement.specifier, f"{name}=={pins[name]} does not satisfy {requirement}"
    dev_only = {canonicalize_name(Requirement(r).name) for r in ("pytest", "mypy", "ruff", "hypothesis")}
    assert not dev_only & set(pins)
    assert (ROOT / "requirements.txt").read_text().splitlines()[1:] == ["-r requirements.lock", "."]
    assert (ROOT / ".python-version").read_text().strip() == "3.11"


def test_env_example_documents_every_setting_once():
    entries = documented()
    names = [entry.name for entry in entries]
    assert sorted(names) == variables()
    assert len(names) == len(set(names))
    assert all(entry.description for entry in entries), [e.name for e in entries if not e.description]


def test_env_example_shows_the_code_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env
    shown = {e.name: e.value for e in documented() if e.commented and e.value}
    for cls in SETTINGS_CLASSES:
        defaults = cls(_env_file=None)  # type: ignore[call-arg]
        with monkeypatch.context() as patch:
            for name, value in shown.items():
                patch.setenv(name, value)
            assert cls(_env_file=None) == defaults, cls.__name__  # type: ignore[call-arg]


def test_app_json_asks_for_the_settings_env_example_marks_for_the_button():
    app = json.loads((ROOT / "app.json").read_text())
    assert app["env"] == app_json_env(), "app.json's env is built from .env.example: python -m tests.deploy.dotenv"
    marked = {entry.name for entry in documented() if entry.button}
    assert set(app["env"]) == marked
    assert marked <= set(variables())
    assert not marked & HEROKU_PROVIDED
    assert set(HEROKU_VALUES) <= marked
    assert [name for name, item in app["env"].items() if item["required"]] == ["GROQ_API_KEY"]
    assert all(item["description"] for item in app["env"].values())
    assert set(app["formation"]) <= set(procfile())
    assert any(addon["plan"].startswith("heroku-redis") for addon in app["addons"])
    assert app["env"]["THINKBOT_REDIS_SSL_CERT_REQS"]["value"] == "none"  # Heroku Redis' self-signed TLS
