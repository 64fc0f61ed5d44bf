"""One set of HTTP paths, named the same in every guide and deploy file: each path a guide names is one the server
serves, and each guide that tells how to start the bot names the three operations endpoints."""

from __future__ import annotations

import re

import pytest
from aiohttp import web

from adapters.slack.modes import EVENTS_PATH
from bot.health import HealthServer
from core.metrics import Metrics
from tests.deploy.lock import ROOT

GUIDES = ("README.md", "adapters/discord/README.md", "adapters/slack/README.md")
DEPLOY_FILES = ("fly.toml", "app.json", ".env.example", "Procfile", "Dockerfile", "manifest.yml")
OPERATIONS = {"/healthz", "/readyz", "/metrics"}

# A path after a URL's host, or standing alone (not the tail of a file path such as adapters/slack/README.md).
_IN_URL = re.compile(r"https?://[^\s/`'\"]+(/[A-Za-z][\w/-]*)")
_ALONE = re.compile(r"(?<![\w./<>-])(/[A-Za-z][\w/-]*)")
_SERVER_WORDS = ("health", "ready", "live", "metrics", "status", "slack/")


def served() -> set[str]:
    app = HealthServer(metrics=Metrics()).mount(web.Application())
    paths = {route.resource.canonical for route in app.router.routes() if route.resource is not None}
    return paths | {EVENTS_PATH}


def named_paths(text: str) -> set[str]:
    """The HTTP paths of the bot's server that ``text`` names (slash commands such as /think are not paths)."""
    found = {m.group(1) for m in _IN_URL.finditer(text)} | {m.group(1) for m in _ALONE.finditer(text)}
    return {path.rstrip("/") for path in found if path.lstrip("/").startswith(_SERVER_WORDS)}


def test_the_server_serves_one_set_of_paths():
    assert served() == OPERATIONS | {"/slack/events"}


@pytest.mark.parametrize("name", GUIDES + DEPLOY_FILES)
def test_every_path_a_file_names_is_served(name: str):
    assert named_paths((ROOT / name).read_text()) <= served()


@pytest.mark.parametrize("name", GUIDES)
def test_every_guide_names_the_operations_endpoints(name: str):
    assert named_paths((ROOT / name).read_text()) >= OPERATIONS


def test_the_reader_of_paths_finds_them_in_urls_and_alone_but_not_in_file_paths():
    text = 'GET `/health` and https://x.fly.dev/slack/events, see adapters/slack/README.md, /think, path = "/readyz"'
    assert named_paths(text) == {"/health", "/slack/events", "/readyz"}
