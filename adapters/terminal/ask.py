"""``thinkbot ask``: run one question through the service and show it; the exit code says how it ended."""

from __future__ import annotations

from enum import IntEnum

from adapters.terminal.render import Renderer
from core.events import ChainFailed, FinalAnswer
from core.kinds import FailureKind
from core.request import ThinkRequest
from core.service import ThinkService

__all__ = ["ExitCode", "ask"]

_BAD_INPUT_KINDS = frozenset({FailureKind.INPUT, FailureKind.CONFIG})


class ExitCode(IntEnum):
    ANSWERED = 0
    CHAIN_FAILED = 1
    BAD_INPUT = 2


async def ask(service: ThinkService, request: ThinkRequest, renderer: Renderer) -> ExitCode:
    code = ExitCode.CHAIN_FAILED
    try:
        async for event in service.think(request):
            renderer.show(event)
            if isinstance(event, FinalAnswer):
                code = ExitCode.ANSWERED
            elif isinstance(event, ChainFailed):
                code = ExitCode.BAD_INPUT if event.kind in _BAD_INPUT_KINDS else ExitCode.CHAIN_FAILED
    finally:  # an interrupt too: no spinner left behind, the cursor shown again
        renderer.close()
    return code
