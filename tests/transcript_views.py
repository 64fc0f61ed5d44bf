"""What a user sees on Discord and on Slack, as short plain text, read from the fakes' records (for the README's
transcripts, see tests/transcripts.py).

Each message shows as ``author: text`` under where it is (the channel, or the thread below a message), its markup
rendered the way its platform renders it; markup the platform would not render is left as sent, so it shows.
Buttons show as ``[📜 Steps]``, reactions still standing on a message as ``reacted 🔍``, a Slack plan or task card
as one line per task with its mark (✓ complete, ◐ in progress, ○ pending, ✗ error) and details.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.fakes.discord import FakeDiscord, PostedMessage
from tests.fakes.discord.components import BUTTON, walk
from tests.fakes.slack import FakeSlack, Message

__all__ = ["DiscordView", "SlackView"]

SLACK_EMOJI = {"mag": "🔍", "octagonal_sign": "🛑", "warning": "⚠️", "white_check_mark": "✅"}
TASK_MARKS = {"pending": "○", "in_progress": "◐", "complete": "✓", "error": "✗"}


# --- what a Discord user sees -------------------------------------------------------------------------------------


class DiscordView:
    def __init__(self, fake: FakeDiscord, *, viewer: int) -> None:
        self.fake = fake
        self.viewer = viewer

    def channel(self, channel: int, name: str, *, command: str) -> list[str]:
        lines = [f"#{name}"]
        for message in self.fake.record.seen_by(channel, self.viewer):
            if message.source == "interaction":
                lines.append(f"  {self._name(self.viewer)} used {command}")
            lines += self._message(message, "  ")
            for thread in self.fake.record.threads:
                if thread.message_id == message.id:
                    lines.append(f"  └ thread “{thread.name}”")
                    for reply in self.fake.record.seen_by(thread.id, self.viewer):
                        lines += self._message(reply, "    ")
        return lines

    def _message(self, message: PostedMessage, indent: str) -> list[str]:
        author = self._name(message.author_id)
        body = [self._render(line) for line in message.text().splitlines() if line.strip()]
        extras = [_button(c) for c in walk(message.components) if c.get("type") == BUTTON]
        reactions = self._reactions(message.id)
        if reactions:
            extras.append("reacted " + " ".join(reactions))
        if extras:
            body.append("  ".join(extras))
        pad = indent + " " * (len(author) + 2)
        return [f"{indent}{author}: {body[0]}", *(pad + line for line in body[1:])]

    def _render(self, line: str) -> str:
        """Discord markdown as shown: ``-#`` subtext and ``**bold**`` as plain text, mentions as @name."""
        line = re.sub(r"^-# ", "", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        return re.sub(r"<@!?(\d+)>", lambda m: "@" + self._name(int(m.group(1))), line)

    def _reactions(self, message_id: int) -> list[str]:
        """The emoji that still stand on the message, in the order first added."""
        users: dict[str, set[int]] = {}
        for event in self.fake.record.reactions:
            if event.message_id == message_id:
                who = users.setdefault(event.emoji, set())
                (who.add if event.action == "add" else who.discard)(event.user_id)
        return [emoji for emoji, who in users.items() if who]

    def _name(self, user_id: int) -> str:
        return self.fake.ctx.world.user(user_id).name


def _button(component: Any) -> str:
    emoji = (component.get("emoji") or {}).get("name")
    label = component.get("label") or ""
    return f"[{emoji} {label}]" if emoji else f"[{label}]"


# --- what a Slack user sees ---------------------------------------------------------------------------------------


class SlackView:
    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake

    def channel(self, channel: str, name: str) -> list[str]:
        lines = [f"#{name}"]
        for message in self.fake.record.timeline(channel):
            lines += self._message(message, "  ")
            replies = self.fake.record.thread(channel, message.ts)
            if replies:
                lines.append("  └ thread")
                for reply in replies:
                    lines += self._message(reply, "    ")
        return lines

    def _message(self, message: Message, indent: str) -> list[str]:
        author = self._name(message.user)
        if message.blocks:
            body = [line for block in message.blocks for line in self._block(block)]
        else:
            body = self._mrkdwn(message.text).splitlines()
        body = [line for line in body if line.strip()]
        reactions = [f":{name}:" for name in self.fake.record.reactions(message.channel, message.ts)]
        if reactions:
            body.append("reacted " + " ".join(self._emoji(r) for r in reactions))
        pad = indent + " " * (len(author) + 2)
        return [f"{indent}{author}: {body[0]}", *(pad + line for line in body[1:])]

    def _block(self, block: dict[str, Any]) -> list[str]:
        kind = block.get("type")
        if kind in ("section", "header"):
            return self._mrkdwn(block["text"]["text"]).splitlines()
        if kind == "context":
            return [" ".join(self._mrkdwn(e.get("text", "")) for e in block.get("elements", []))]
        if kind == "markdown":
            return self._markdown(block["text"]).splitlines()
        if kind == "actions":
            return ["  ".join(f"[{self._mrkdwn(e['text']['text'])}]" for e in block.get("elements", []))]
        if kind == "divider":
            return ["───"]
        if kind == "plan":
            return [block.get("title", ""), *("  " + self._task(card) for card in block.get("tasks", []))]
        if kind == "task_card":
            return [self._task(block)]
        return [f"[{kind} block]"]

    def _task(self, card: dict[str, Any]) -> str:
        """A task of a plan or a task card: its mark, title and details."""
        details = "".join(_rich_text(card.get("details", {})))
        line = f"{TASK_MARKS.get(card.get('status', ''), '?')} {card.get('title', '')}"
        return line + (f" — {details}" if details else "")

    def _mrkdwn(self, text: str) -> str:
        """Slack mrkdwn as shown: ``*bold*`` and ``_italic_`` as plain text, mentions and emoji codes shown."""
        text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
        return self._common(re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text))

    def _markdown(self, text: str) -> str:
        """A markdown block as shown: ``**bold**`` and ``_italic_`` as plain text, mentions and emoji codes shown."""
        text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
        return self._common(re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text))

    def _common(self, text: str) -> str:
        text = re.sub(r"<@(\w+)>", lambda m: "@" + self._name(m.group(1)), text)
        return re.sub(r":([a-z_]+):", lambda m: self._emoji(m.group(0)), text)

    @staticmethod
    def _emoji(code: str) -> str:
        return SLACK_EMOJI.get(code.strip(":"), code)

    def _name(self, user_id: str) -> str:
        user = self.fake.workspace.user(user_id)
        return user.name if user is not None else user_id


def _rich_text(element: dict[str, Any]) -> Iterator[str]:
    """The text of a rich text element, at every depth."""
    if element.get("type") == "text":
        yield element.get("text", "")
    for child in element.get("elements", []):
        yield from _rich_text(child)
