"""Slack adapter: bolt's ``AsyncApp`` turning mentions, DMs and ``/think`` into core requests, with each chain
posted as a thread of collapsed steps that reactions expand. Served over Socket Mode or HTTP (see ``modes``)."""

from adapters.slack.app import SlackBot, web_client
from adapters.slack.options import SlackOptions

__all__ = ["SlackBot", "SlackOptions", "web_client"]
