"""The bare baseline: the question (after the thread's earlier turns, for a follow-up) in one plain request.

This is the model alone, the yardstick every chain is compared with, so nothing is added to what a user would
send it directly: no system message (even "answer the question" is a prompt choice that would be measured with the
model, and a chat model answers a question anyway), no pre-fill, no JSON mode. Exactly one LLM call; the answer
budget is the final answer's (``final_max_tokens``).

The answer is the chain's only step, and it is shown as the answer alone: a :class:`~core.events.FinalAnswer` with
``steps=0`` and no :class:`~core.events.Step` before it. A step carrying the same text would show it twice: in the
chat thread a "1. Answer" line right above the answer (and, expanded or in a private chain's full steps, the whole
answer again), in the terminal a step line before the answer rule (and the text twice with ``--steps full``).
With no step the thread still holds the answer (the presenter posts it there), Discord's header offers no expand
reaction and no Steps button for a chain without steps, and the footers read "0 steps".
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from core.events import FinalAnswer, Step
from core.llm.types import CompletionRequest, Message
from core.strategies.base import ChainContext, history_messages

__all__ = ["BareStrategy"]


class BareStrategy:
    name = "bare"

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Step | FinalAnswer, None]:
        messages = (*history_messages(ctx.history), Message("user", ctx.question))
        request = CompletionRequest(
            model=ctx.config.model,
            messages=messages,
            temperature=ctx.config.temperature,
            max_tokens=ctx.config.final_max_tokens,
        )
        reply = await ctx.llm.complete(request)
        yield FinalAnswer(
            chain_id=ctx.chain_id, text=reply.text.strip(), total_time=ctx.elapsed(), usage=reply.usage, steps=0
        )
