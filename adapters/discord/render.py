"""Text for the messages the adapter posts: header, steps (collapsed or expanded), answer, failures. Pure.

The sentences are the shared ones (:mod:`adapters.chat.wording`); this module adds Discord's markup around them."""

from __future__ import annotations

import re

from adapters.chat import wording
from adapters.chat.links import safe_markdown
from adapters.chat.progress import latest
from adapters.chat.surface import Progress
from core.events import ChainFailed, FinalAnswer, Step
from core.text import one_line

__all__ = [
    "answer_text",
    "defang",
    "failure_text",
    "header_done",
    "header_failed",
    "header_progress",
    "header_text",
    "queued_text",
    "refusal_text",
    "restarted_text",
    "step_text",
    "steps_text",
    "thread_name",
]

ZWSP = "\u200b"
_MASS_PING = re.compile(r"@(everyone|here)", re.IGNORECASE)
_MENTION = re.compile(r"<@([!&]?\d+)>")
_QUESTION_SHOWN = 1500
_TITLE_SHOWN = 200
_SHORT_ANSWER = 300
_PARTIAL_SHOWN = 200


def defang(text: str) -> str:
    """Untrusted text that can neither ping nor disguise a link.

    A zero-width space after ``@`` in ``@everyone``/``@here`` and after ``<@`` in user and role mentions keeps
    them readable and inert (the real guard is ``allowed_mentions`` on the client). A masked link whose text
    shows another address than its target becomes plain text, ``label (url)``, and no ``[`` or ``](`` is left
    open for a neighbouring message to complete (see :func:`adapters.chat.links.safe_markdown`).
    """
    text = _MASS_PING.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return safe_markdown(_MENTION.sub(lambda m: f"<@{ZWSP}{m.group(1)}>", text))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def thread_name(question: str) -> str:
    """A thread name from the question: one line, at most 100 characters, never empty."""
    return one_line(question, 100) or "Thinking"


def _question_block(question: str, asker_id: int) -> str:
    return f"🤔 **{_shown(question, _QUESTION_SHOWN)}**\n-# asked by <@{asker_id}>"


def _shown(text: str, limit: int) -> str:
    """Untrusted text for the header, a message of its own: one line, defanged, then clipped (defanging may
    lengthen it, and the header must stay within Discord's 2,000 characters)."""
    return _clip(defang(one_line(text)), limit)


def header_text(question: str, *, asker_id: int) -> str:
    return _question_block(question, asker_id) + " · thinking…"


def header_progress(question: str, *, asker_id: int, progress: Progress) -> str:
    """The header while a step is thought: its number and seconds, and the end of what the model wrote of it."""
    line = f"{_question_block(question, asker_id)} · {wording.thinking(progress.step, progress.elapsed)}…"
    partial = _clip(defang(latest(progress.text, _PARTIAL_SHOWN)), _PARTIAL_SHOWN + 40)
    return line + (f"\n-# ✍️ {partial}" if partial else "")


def queued_text(position: int) -> str:
    return f"⏳ {wording.queued(position)}"


def header_done(
    question: str, *, asker_id: int, answer: FinalAnswer, expand_emoji: str, expandable: bool, each: bool = True
) -> str:
    """The header once answered; ``each``: the steps have messages of their own (not in compact display)."""
    short = _shown(answer.text, _SHORT_ANSWER)
    footer = f"{wording.step_count(answer.steps)} in {answer.total_time:.1f} s" + (" · cached" if answer.cached else "")
    if answer.capped:
        footer += f" · {wording.capped(answer.steps)}"
    if expandable:
        footer += f" · {wording.expand_hint(expand_emoji, each=each)}"
    return f"{_question_block(question, asker_id)}\n\n**Answer:** {short}\n-# {footer}"


def header_failed(question: str, *, asker_id: int, failed: ChainFailed) -> str:
    return f"{_question_block(question, asker_id)}\n\n⚠️ {_shown(failed.message, _SHORT_ANSWER)}"


def step_text(step: Step, *, expanded: bool) -> str:
    """``**3. Title** · 1.2 s``, with the step's content below it when expanded."""
    title = defang(one_line(step.title, _TITLE_SHOWN)) or "Step"
    line = f"**{step.index}. {title}** · {step.elapsed:.1f} s"
    if not expanded:
        return line
    return f"{line}\n{defang(step.content.strip())}"


def steps_text(steps: list[Step], *, expanded: bool) -> str:
    return ("\n\n" if expanded else "\n").join(step_text(step, expanded=expanded) for step in steps)


def answer_text(answer: FinalAnswer) -> str:
    return f"✅ **Answer**\n{defang(answer.text.strip())}"


def failure_text(failed: ChainFailed, *, kept: int) -> str:
    """The note a stopped chain posts in its thread; ``kept``: the steps shown above it."""
    note = f"\n-# {wording.kept(kept)}" if kept else ""
    return f"⚠️ **The chain stopped:** {defang(failed.message)}{note}"


def restarted_text() -> str:
    return f"⚠️ {wording.RESTARTED}"


def refusal_text(failed: ChainFailed) -> str:
    """What a refused request (rate limit, budget, bad input) tells the asker, privately.

    The core's message already says when to try again (or when the budget resets), so it is shown as is.
    """
    return f"⚠️ {defang(failed.message)}"
