"""The g1 chain: one JSON step per call until the model says ``final_answer``, then a plain-text answer.

Follows bklieger-groq/g1's flow (system instructions, the question, an assistant pre-fill, JSON mode, a step cap,
a final request without JSON mode). Each step request carries :data:`G1_STEP_SCHEMA`: the client sends it as
Structured Outputs where the model has them (strict on gpt-oss: the step always has the three keys), JSON mode
elsewhere (:mod:`core.llm.structured`). Unlike g1, a step that comes back malformed (JSON mode, best effort, or cut
by the token budget) is repaired or re-asked up to ``config.repair_limit`` times instead of crashing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from core.errors import JSONValidateError, MalformedOutputError, StepParseError
from core.events import FinalAnswer, Step
from core.llm.types import CompletionRequest, Message, ResponseSchema, Usage
from core.strategies.base import ChainContext, history_messages
from core.strategies.prompts import G1_FINAL_REQUEST, G1_PREFILL, G1_REASK, G1_STEP_SCHEMA, G1_SYSTEM
from core.strategies.step_parser import ParsedStep, parse_step

__all__ = ["G1Strategy"]

log = logging.getLogger(__name__)

STEP_SCHEMA = ResponseSchema(name="reasoning_step", schema=G1_STEP_SCHEMA)


@dataclass(frozen=True, slots=True)
class _StepReply:
    step: ParsedStep
    usage: Usage


class G1Strategy:
    name = "g1"

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Step | FinalAnswer, None]:
        messages = [
            Message("system", G1_SYSTEM),
            *history_messages(ctx.history),
            Message("user", ctx.question),
            Message("assistant", G1_PREFILL),
            *(Message("assistant", _resumed(step)) for step in ctx.resume),
        ]
        usage = sum((step.usage for step in ctx.resume), Usage())
        capped = True  # unless the model says it is done before the cap
        index = len(ctx.resume)
        for index in range(len(ctx.resume) + 1, ctx.config.step_cap + 1):
            began = time.monotonic()
            reply = await self._ask_step(ctx, messages, index)
            usage += reply.usage
            messages.append(Message("assistant", _canonical(reply.step)))
            yield Step(
                chain_id=ctx.chain_id,
                index=index,
                title=reply.step.title,
                content=reply.step.content,
                elapsed=time.monotonic() - began,
                usage=reply.usage,
            )
            if reply.step.next_action == "final_answer":
                capped = False
                break
        messages.append(Message("user", G1_FINAL_REQUEST))
        final = await ctx.llm.complete(_request(ctx, messages, json_mode=False, max_tokens=ctx.config.final_max_tokens))
        usage += final.usage
        if capped:
            log.info("chain %s stopped at the step cap of %d", ctx.chain_id, index)
        yield FinalAnswer(
            chain_id=ctx.chain_id,
            text=final.text.strip(),
            total_time=ctx.elapsed(),
            usage=usage,
            steps=index,
            capped=capped,
        )

    async def _ask_step(self, ctx: ChainContext, messages: list[Message], index: int) -> _StepReply:
        """One step, re-asking with the reason on a malformed reply, up to ``repair_limit`` times."""
        attempt_messages = list(messages)
        usage = Usage()
        reason = ""
        for _attempt in range(ctx.config.repair_limit + 1):
            request = _request(ctx, attempt_messages, json_mode=True, max_tokens=ctx.config.step_max_tokens)
            try:
                completion = await ctx.llm.complete(request)
                text = completion.text
                usage += completion.usage
            except JSONValidateError as exc:
                text = exc.failed_generation
            try:
                return _StepReply(parse_step(text), usage)
            except StepParseError as exc:
                reason = exc.message
                log.info("chain %s step %d: malformed reply (%s), re-asking", ctx.chain_id, index, reason)
                attempt_messages = [
                    *messages,
                    Message("assistant", text[:4000]),
                    Message("user", G1_REASK.format(reason=reason, index=index)),
                ]
        raise MalformedOutputError(
            f"The model kept replying in a shape that could not be read as step {index} "
            f"({reason}; tried {ctx.config.repair_limit + 1} times)."
        )


def _request(ctx: ChainContext, messages: list[Message], *, json_mode: bool, max_tokens: int) -> CompletionRequest:
    return CompletionRequest(
        model=ctx.config.model,
        messages=tuple(messages),
        temperature=ctx.config.temperature,
        max_tokens=max_tokens,
        json_mode=json_mode,
        schema=STEP_SCHEMA if json_mode else None,
    )


def _resumed(step: Step) -> str:
    """A step an earlier run showed, as the model wrote it (it said to continue, or the chain would have ended)."""
    return json.dumps({"title": step.title, "content": step.content, "next_action": "continue"})


def _canonical(step: ParsedStep) -> str:
    return json.dumps({"title": step.title, "content": step.content, "next_action": step.next_action})
