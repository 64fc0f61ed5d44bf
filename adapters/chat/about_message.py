""" "Think about this message" (Discord's message command, Slack's message shortcut): what both say, in one place.

The message's text is the question, as it stands, through the same cleaning and limits as any question (the core's
validation); only a message with no text at all (an image, a file, an embed) is refused here, since there is then
nothing to send."""

from __future__ import annotations

__all__ = ["NO_TEXT", "SHORTCUT_ID", "TITLE", "question_of"]

TITLE = "Think about this message"  # the name in the message's menu (Discord's command, Slack's shortcut)
SHORTCUT_ID = "think_about_message"  # Slack's callback id (manifest.yml names it too)
NO_TEXT = "That message has no text to think about (only images, files or embeds)."


def question_of(text: str | None) -> str | None:
    """The question a message asks: its text, or ``None`` when it has none to think about."""
    return text if text and text.strip() else None
