"""The piped terminal renderer: a full step's Markdown rendered, a refusal's wait said once."""

from __future__ import annotations

import io

from rich.console import Console

from adapters.terminal import RichRenderer
from core.events import ChainFailed, Step
from core.kinds import FailureKind
from core.llm.types import Usage


def piped() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=80, _environ={}), out


def test_a_full_steps_content_is_rendered_as_markdown():
    console, out = piped()
    renderer = RichRenderer(console=console, errors=console, steps="full")
    content = "There are **three** Rs:\n\n- one in *str*\n- two in `berry`\n\n[bold]not markup[/bold]"
    renderer.show(Step(chain_id="c", index=1, title="Count", content=content, elapsed=0.5, usage=Usage()))
    text = out.getvalue()
    assert "There are three Rs:" in text
    assert "• one in str" in text
    assert "• two in berry" in text
    assert "[bold]not markup[/bold]" in text  # Markdown, never rich markup
    for raw in ("**", "*str*", "`"):
        assert raw not in text


def test_a_refusal_says_when_to_try_again_once():
    console, out = piped()
    renderer = RichRenderer(console=console, errors=console)
    message = "You are asking faster than this bot allows. Please try again in 2 min."
    renderer.show(ChainFailed(chain_id="c", kind=FailureKind.RATE_LIMITED, message=message, retry_after=108))
    assert out.getvalue() == f"Error: {message}\n"
