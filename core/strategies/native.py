"""The native strategy: a reasoning model's own reasoning, streamed, shown as titled steps, then its answer.

One streamed request (:meth:`core.llm.types.LLMClient.stream`) with the reasoning returned (``CompletionRequest.
reasoning``: Groq's ``include_reasoning`` on gpt-oss, ``reasoning_format="parsed"`` on qwen3-type models;
OpenAI-compatible servers send ``reasoning_content`` / ``reasoning`` in the deltas). A model that writes its
reasoning inline as ``<think>…</think>`` at the start of the content has it parsed out as it streams
(:mod:`core.strategies.think_tags`). The question goes as a user would send it (after a follow-up's earlier turns),
with no system prompt: the model's reasoning is the chain. The budget is the final answer's plus one step's
(``final_max_tokens + step_max_tokens``); Groq adds its reasoning headroom on top.

The reasoning becomes steps as it arrives (:mod:`core.strategies.reasoning_steps`: split at headings and paragraph
boundaries, at most 4 characters per token of ``step_max_tokens`` per step, the token budget a g1 step has). The
step being written goes out as :class:`~core.events.StepDelta` pieces, at most one per ``delta_every`` seconds,
then as a :class:`~core.events.Step`; the first visible answer text ends the last step (reasoning after it is not
shown). The :class:`~core.events.FinalAnswer` carries the answer and the usage of the one call, as the provider
counts it at its end. Each step carries an estimate of the tokens it took (:data:`CHARS_PER_TOKEN` characters a
token; the first step also the prompt's), which counts only when the chain fails before that count arrives (a
broken stream, the deadline): the place's daily budget is then charged for what was spent, not nothing.

A model that does not reason fails at once with ``input``, naming it: before any request when
:func:`core.llm.reasoning.reasoning_params` does not know the model as a reasoning one (gpt-oss, qwen3, QwQ,
deepseek-r1), and, for one it knows, as soon as the answer begins with no reasoning before it (the stream is then
closed): a chain without steps would be the bare strategy under another name. A stream that breaks fails with the
client's error kind, keeping the steps already finished.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from core.errors import EmptyAnswerError, InputError
from core.events import FinalAnswer, Step, StepDelta
from core.llm.reasoning import reasoning_params
from core.llm.types import Completion, CompletionRequest, Delta, Message, Usage
from core.strategies.base import ChainContext, history_messages
from core.strategies.reasoning_steps import Finished, Piece, StepSplitter
from core.strategies.think_tags import ThinkTags
from core.text import one_line

__all__ = ["CHARS_PER_TOKEN", "NativeStrategy"]

CHARS_PER_TOKEN = 4  # the usual estimate: a step holds at most this many characters per token of step_max_tokens

Event = StepDelta | Step | FinalAnswer


class NativeStrategy:
    name = "native"
    delta_every = 0.1  # seconds: a StepDelta carries what came in about this long, never one per token

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Event, None]:
        model = ctx.config.model
        if not reasoning_params(model).reasons:
            raise InputError(
                f"The native strategy shows a reasoning model's own reasoning, and the model {_name(model)} is "
                "not one (gpt-oss, qwen3, QwQ and deepseek-r1 models are). Choose one of those, or another strategy."
            )
        request = CompletionRequest(
            model=model,
            messages=(*history_messages(ctx.history), Message("user", ctx.question)),
            temperature=ctx.config.temperature,
            max_tokens=ctx.config.final_max_tokens + ctx.config.step_max_tokens,
            reasoning=True,
        )
        splitter = StepSplitter(max_chars=CHARS_PER_TOKEN * ctx.config.step_max_tokens)
        prompt = sum(len(message.content) for message in request.messages)
        steps = _Steps(ctx.chain_id, splitter, every=self.delta_every, prompt_tokens=_tokens(prompt))
        tags = ThinkTags()
        answer: list[str] = []
        stream = ctx.llm.stream(request)
        try:
            async for item in stream:
                if isinstance(item, Completion):
                    for event in self._delta(Delta(), tags, steps, answer, model, end=True):
                        yield event
                    yield self._final(ctx, item, "".join(answer), steps)
                    return
                for event in self._delta(item, tags, steps, answer, model):
                    yield event
        finally:
            await _close(stream)
        raise AssertionError("a stream ends with its Completion")  # pragma: no cover

    def _delta(
        self, delta: Delta, tags: ThinkTags, steps: _Steps, answer: list[str], model: str, *, end: bool = False
    ) -> list[Event]:
        """Events for one piece (``end``: the stream is over, take what the think-tag parser held back)."""
        split = tags.flush() if end else tags.feed(delta.text)
        if answer:  # the answer has begun: reasoning after it is not shown
            answer.append(split.answer)
            return []
        events = steps.reasoning(delta.reasoning + split.reasoning)
        if split.answer.strip():
            if not steps.reasoned:
                raise _no_reasoning(model)
            answer.append(split.answer)
        if answer or end:
            events += steps.close()
        return events

    def _final(self, ctx: ChainContext, completion: Completion, answer: str, steps: _Steps) -> FinalAnswer:
        model = ctx.config.model
        if not steps.reasoned:
            raise _no_reasoning(model)
        if not answer.strip() and completion.finish_reason == "length":
            raise EmptyAnswerError(
                f"The model {_name(model)} spent its whole token budget thinking and wrote no answer. Please ask again."
            )
        return FinalAnswer(
            chain_id=ctx.chain_id,
            text=answer.strip(),
            total_time=ctx.elapsed(),
            usage=completion.usage,
            steps=steps.count,
        )


class _Steps:
    """The splitter's pieces as events: each step's text in :class:`StepDelta` pieces at most one per ``every``
    seconds (and the rest just before the step), then the :class:`Step`, timed from the end of the one before."""

    def __init__(
        self,
        chain_id: str,
        splitter: StepSplitter,
        *,
        every: float,
        prompt_tokens: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._chain_id = chain_id
        self._prompt_tokens = prompt_tokens  # estimated, charged with the first step
        self._splitter = splitter
        self._every = every
        self._clock = clock
        self._began = self._sent = clock()
        self._held: list[str] = []
        self._index = 0
        self.count = 0
        self.reasoned = False  # some visible reasoning came
        self._closed = False

    def reasoning(self, text: str) -> list[Event]:
        if not text:
            return []
        self.reasoned = self.reasoned or not text.isspace()
        return self._events(self._splitter.feed(text))

    def close(self) -> list[Event]:
        if self._closed:
            return []
        self._closed = True
        return self._events(self._splitter.close())

    def _events(self, pieces: list[Piece]) -> list[Event]:
        events: list[Event] = []
        now = self._clock()
        for piece in pieces:
            if isinstance(piece, Finished):
                events += self._flush(now)
                self.count += 1
                events.append(
                    Step(
                        chain_id=self._chain_id,
                        index=piece.index,
                        title=piece.title,
                        content=piece.content,
                        elapsed=now - self._began,
                        usage=Usage(prompt_tokens=self._prompt_tokens, completion_tokens=_tokens(len(piece.content))),
                    )
                )
                self._began, self._prompt_tokens = now, 0
            else:
                self._index = piece.index
                self._held.append(piece.text)
        if self._held and now - self._sent >= self._every:
            events += self._flush(now)
        return events

    def _flush(self, now: float) -> list[Event]:
        if not self._held:
            return []
        text, self._held, self._sent = "".join(self._held), [], now
        return [StepDelta(chain_id=self._chain_id, index=self._index, text=text)]


def _tokens(chars: int) -> int:
    """An estimate of the tokens ``chars`` characters take."""
    return -(-chars // CHARS_PER_TOKEN)


def _name(model: str) -> str:
    return one_line(model, 100)


def _no_reasoning(model: str) -> InputError:
    return InputError(
        f"The native strategy shows a reasoning model's own reasoning, and the model {_name(model)} sent none: its "
        "provider does not return it, or the model answered without thinking. Choose another strategy for it."
    )


async def _close(stream: AsyncIterator[Delta | Completion]) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()
