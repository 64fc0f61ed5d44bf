"""The terminal surface: ``thinkbot ask``."""

from adapters.terminal.ask import ExitCode, ask
from adapters.terminal.render import JsonRenderer, Renderer, RichRenderer, StepsMode

__all__ = ["ExitCode", "JsonRenderer", "Renderer", "RichRenderer", "StepsMode", "ask"]
