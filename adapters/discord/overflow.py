"""What does not fit in a chain's share of a thread, as a Markdown file on the last message it may post; and the
Discord message type the surface posts and an expansion edits in (text, and that file when it carries one)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from adapters.chat.caps import attached_note, cut_note, overflow_subject
from adapters.chat.surface import Kind
from adapters.discord.outlet import Send

__all__ = ["FILE_BYTES", "Attachment", "Out", "Spill", "edit_out", "file_bytes", "overflow_message", "send_out"]

log = logging.getLogger(__name__)

FILE_BYTES = 8 * 1024 * 1024
"""Largest attachment made: under Discord's smallest default upload limit (10 MiB per file; 25 MiB a request)."""


@dataclass(frozen=True, slots=True)
class Spill:
    """One piece of the overflow: its kind and the text the file shows for it (steps in full)."""

    kind: Kind
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file to attach (made anew for each send: discord.py reads it once), and the text to show ``instead`` when
    the bot may not attach files here."""

    data: bytes = field(repr=False)
    filename: str
    instead: str

    def file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename)


@dataclass(frozen=True, slots=True)
class Out:
    """One Discord message: its text, and a file when it carries what did not fit."""

    text: str
    attachment: Attachment | None = None


def _filename(spills: Sequence[Spill]) -> str:
    return "answer.md" if all(s.kind != "step" for s in spills) else "chain.md"


def _subject(spills: Sequence[Spill]) -> str:
    return overflow_subject(steps=any(s.kind == "step" for s in spills), answer=any(s.kind == "answer" for s in spills))


def file_bytes(texts: Sequence[str]) -> tuple[bytes, bool]:
    """``texts`` as a Markdown file's bytes, paragraphs apart, and whether it was ended early at :data:`FILE_BYTES`
    (never inside a character)."""
    data = "\n\n".join(text.strip("\n") for text in texts).encode("utf-8", "replace") + b"\n"
    if len(data) <= FILE_BYTES:
        return data, False
    return data[:FILE_BYTES].decode("utf-8", "ignore").encode("utf-8"), True


def overflow_message(spills: Sequence[Spill], *, limit: int) -> Out:
    """The note on the last allowed message and the file with ``spills`` (ended early past :data:`FILE_BYTES`).
    Without Attach Files, the note says what is missing and why."""
    data, cut = file_bytes([s.text for s in spills])
    subject, filename = _subject(spills), _filename(spills)
    chars = sum(len(s.text) for s in spills)
    instead = f"-# {cut_note(subject, chars, limit=limit)} I'm missing the **Attach Files** permission to attach it."
    note = "-# " + attached_note(subject, limit=limit, filename=filename, cut=cut)
    return Out(note, Attachment(data=data, filename=filename, instead=instead))


async def send_out(send: Send, out: Out) -> discord.Message:
    """Post ``out`` through ``send``; its file's note alone where the bot may not attach files."""
    if out.attachment is None:
        return await send(out.text)
    try:
        return await send(out.text, file=out.attachment.file())
    except discord.Forbidden:
        log.warning("no Attach Files permission: %s is not shown", out.attachment.filename)
        return await send(out.attachment.instead)


async def edit_out(message: discord.PartialMessage, out: Out) -> None:
    """Turn ``message`` into ``out``, in place: its text, and its file as the message's only attachment (none
    without one); where the bot may not attach files, the attachment's ``instead`` text."""
    if out.attachment is None:
        await message.edit(content=out.text, attachments=[])
        return
    try:
        await message.edit(content=out.text, attachments=[out.attachment.file()])
    except discord.Forbidden:
        log.warning("no Attach Files permission: %s is not shown", out.attachment.filename)
        await message.edit(content=out.attachment.instead, attachments=[])
