"""Block ids that say what a block shows, so a thread read back from Slack tells steps, answers and continuations
apart after a restart without any state of our own: ``tb:s:<chain>:<step>:<part>`` (a step),
``tb:a:<chain>:<part>`` (the answer), ``tb:c:<origin ts>:<chain>:<step>:<part>`` (an expanded step's overflow,
posted after the message at ``origin ts``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Tag", "TagKind", "answer_id", "continuation_id", "parse_tag", "step_id", "tags_of"]

TagKind = Literal["s", "a", "c"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    kind: TagKind
    chain_id: str
    step: int | None = None
    origin: str | None = None


def step_id(chain_id: str, step: int, part: int) -> str:
    return f"tb:s:{chain_id}:{step}:{part}"


def answer_id(chain_id: str, part: int) -> str:
    return f"tb:a:{chain_id}:{part}"


def continuation_id(origin_ts: str, chain_id: str, step: int, part: int) -> str:
    return f"tb:c:{origin_ts}:{chain_id}:{step}:{part}"


def parse_tag(block_id: object) -> Tag | None:
    """The tag in a block id of ours, or ``None`` for anything else."""
    if not isinstance(block_id, str) or not block_id.startswith("tb:"):
        return None
    parts = block_id.split(":")
    try:
        if parts[1] == "s" and len(parts) == 5:
            return Tag(kind="s", chain_id=parts[2], step=int(parts[3]))
        if parts[1] == "a" and len(parts) == 4:
            return Tag(kind="a", chain_id=parts[2])
        if parts[1] == "c" and len(parts) == 6:
            return Tag(kind="c", chain_id=parts[3], step=int(parts[4]), origin=parts[2])
    except ValueError:
        return None
    return None


def tags_of(blocks: Iterable[Mapping[str, Any]]) -> list[Tag]:
    """The distinct tags of a message's blocks, in order."""
    found: list[Tag] = []
    for block in blocks:
        tag = parse_tag(block.get("block_id"))
        if tag is not None and tag not in found:
            found.append(tag)
    return found
