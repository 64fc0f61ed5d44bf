"""A local stand-in for Slack that real ``slack_sdk`` and ``slack_bolt`` talk to over loopback.

Web API at ``/api/<method>``, Socket Mode over a websocket, signed HTTP posts to an app's events endpoint, and a
record of what users would see (streamed messages too: their tasks and markdown). Start it with
``async with FakeSlack(post_interval=0.05) as slack`` (in the test's loop) or ``FakeSlackThread`` (its own loop in
a thread).
"""

from tests.fakes.slack.background import FakeSlackThread
from tests.fakes.slack.models import Ack, ApiCall, Ephemeral, Message, RateLimited, ReactionChange, StatusChange, Update
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.server import FakeSlack
from tests.fakes.slack.signed_http import HttpReply, PostOptions, SignedPoster, sign
from tests.fakes.slack.socket_mode import SocketModeServer
from tests.fakes.slack.stream_methods import StreamRules
from tests.fakes.slack.stream_state import StreamedMessage, Task
from tests.fakes.slack.user_actions import UserActions, UserEvent
from tests.fakes.slack.validation import MAX_BLOCKS, MAX_TEXT, SECTION_TEXT
from tests.fakes.slack.workspace import User, Workspace

__all__ = [
    "MAX_BLOCKS",
    "MAX_TEXT",
    "SECTION_TEXT",
    "Ack",
    "ApiCall",
    "Ephemeral",
    "FakeSlack",
    "FakeSlackThread",
    "HttpReply",
    "Message",
    "PostOptions",
    "RateLimited",
    "ReactionChange",
    "SignedPoster",
    "SlackRecord",
    "SocketModeServer",
    "StatusChange",
    "StreamRules",
    "StreamedMessage",
    "Task",
    "Update",
    "User",
    "UserActions",
    "UserEvent",
    "Workspace",
    "sign",
]
