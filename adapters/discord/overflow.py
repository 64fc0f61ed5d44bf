"""What does not fit in a chain's share of a thread, as a Markdown file on the last message it may post."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import discord

from adapters.chat.caps import attached_note, cut_note, overflow_subject

__all__ = ["FILE_BYTES", "Spill", "overflow_file", "overflow_note", "unattached_note"]

FILE_BYTES = 8 * 1024 * 1024
"""Largest attachment made: under Discord's smallest default upload limit (10 MiB per file; 25 MiB a request)."""

SpillKind = Literal["step", "answer", "note"]


@dataclass(frozen=True, slots=True)
class Spill:
    """One piece of the overflow: its kind and the text the file shows for it (steps in full)."""

    kind: SpillKind
    text: str


def _filename(spills: Sequence[Spill], *, step: int | None = None) -> str:
    if step is not None:
        return f"step-{step}.md"
    return "answer.md" if all(s.kind != "step" for s in spills) else "chain.md"


def overflow_file(spills: Sequence[Spill], *, step: int | None = None) -> tuple[discord.File, bool]:
    """The file, and whether it had to end early to stay within :data:`FILE_BYTES`."""
    data = "\n\n".join(s.text.strip("\n") for s in spills).encode("utf-8", "replace") + b"\n"
    cut = len(data) > FILE_BYTES
    if cut:
        data = data[:FILE_BYTES].decode("utf-8", "ignore").encode("utf-8")
    return discord.File(io.BytesIO(data), filename=_filename(spills, step=step)), cut


def _subject(spills: Sequence[Spill], step: int | None) -> str:
    if step is not None:
        return f"The rest of step {step}"
    return overflow_subject(steps=any(s.kind == "step" for s in spills), answer=any(s.kind == "answer" for s in spills))


def overflow_note(spills: Sequence[Spill], *, limit: int, cut: bool, step: int | None = None) -> str:
    return "-# " + attached_note(_subject(spills, step), limit=limit, filename=_filename(spills, step=step), cut=cut)


def unattached_note(spills: Sequence[Spill], *, limit: int, step: int | None = None) -> str:
    """The note when the file cannot be attached (no Attach Files permission): how much is not shown, and why."""
    chars = sum(len(s.text) for s in spills)
    note = cut_note(_subject(spills, step), chars, limit=limit)
    return f"-# {note} I'm missing the **Attach Files** permission to attach it."
