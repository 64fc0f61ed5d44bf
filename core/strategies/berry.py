"""The Llamaberry chain: answer, then critique-and-refine turns with all earlier turns in context, then synthesis."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

from core.events import FinalAnswer, Step
from core.llm.types import CompletionRequest, Message, Usage
from core.strategies.base import ChainContext, history_messages
from core.strategies.prompts import BERRY_CRITIQUE, BERRY_SYNTHESIS, BERRY_SYSTEM

__all__ = ["BerryStrategy"]


class BerryStrategy:
    name = "berry"

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Step | FinalAnswer, None]:
        messages = [Message("system", BERRY_SYSTEM), *history_messages(ctx.history), Message("user", ctx.question)]
        usage = Usage()
        turns = max(1, ctx.config.berry_turns)
        for index in range(1, turns + 1):
            if index > 1:
                messages.append(Message("user", BERRY_CRITIQUE))
            began = time.monotonic()
            reply = await ctx.llm.complete(self._request(ctx, messages, ctx.config.step_max_tokens))
            usage += reply.usage
            messages.append(Message("assistant", reply.text))
            yield Step(
                chain_id=ctx.chain_id,
                index=index,
                title="First answer" if index == 1 else f"Critique and refinement {index - 1}",
                content=reply.text.strip(),
                elapsed=time.monotonic() - began,
                usage=reply.usage,
            )
        messages.append(Message("user", BERRY_SYNTHESIS))
        final = await ctx.llm.complete(self._request(ctx, messages, ctx.config.final_max_tokens))
        usage += final.usage
        yield FinalAnswer(
            chain_id=ctx.chain_id, text=final.text.strip(), total_time=ctx.elapsed(), usage=usage, steps=turns
        )

    @staticmethod
    def _request(ctx: ChainContext, messages: list[Message], max_tokens: int) -> CompletionRequest:
        return CompletionRequest(
            model=ctx.config.model,
            messages=tuple(messages),
            temperature=ctx.config.temperature,
            max_tokens=max_tokens,
        )
