"""reasoning-gym tasks as question sets, generated on this machine and scored by the task's own ``score_answer``.

``gym:TASK`` or ``gym:TASK:SIZE`` (``gym:basic_arithmetic:20``) is the first SIZE items (default 20) of a
reasoning-gym dataset made with a fixed seed, so every run asks the same questions. Each question asks, as
reasoning-gym's own prompts do, for the final answer between ``<answer>`` tags; the tagged text (else the whole
answer) goes to the dataset's ``score_answer``, and only full marks (1.0) count as right.

Each question's checker names its item, ``gym:TASK:SIZE:INDEX:SEED``, so a recorded run is scored again from the
same generated item. reasoning-gym comes with the ``eval`` extra and is imported only here, when a gym set is made
or scored.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Any

from core.eval.extras import require

__all__ = [
    "ANSWER_INSTRUCTION",
    "DEFAULT_SIZE",
    "MAX_SIZE",
    "PREFIX",
    "SEED",
    "GymError",
    "GymItem",
    "check_item",
    "gym_items",
    "gym_score",
    "is_gym_checker",
    "is_gym_spec",
    "parse_spec",
]

PREFIX = "gym:"
SEED = 20250912
DEFAULT_SIZE = 20
MAX_SIZE = 1000
ANSWER_INSTRUCTION = "Give your final answer between <answer> and </answer> tags."
_SPEC = re.compile(r"gym:(?P<task>[a-z0-9_]+)(?::(?P<size>\d+))?")
_CHECKER = re.compile(r"gym:(?P<task>[a-z0-9_]+):(?P<size>\d+):(?P<index>\d+):(?P<seed>\d+)")
_TAGGED = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)


class GymError(ValueError):
    """A gym set or checker that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class GymItem:
    id: str
    question: str
    answer: str
    checker: str


def is_gym_spec(spec: str) -> bool:
    return spec.startswith(PREFIX)


def is_gym_checker(name: str) -> bool:
    return _CHECKER.fullmatch(name) is not None


def parse_spec(spec: str) -> tuple[str, int]:
    """``gym:TASK[:SIZE]`` as (task, size)."""
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise GymError(f"{spec!r} is not a gym set; write gym:TASK or gym:TASK:SIZE, e.g. gym:basic_arithmetic:20")
    size = int(match["size"] or DEFAULT_SIZE)
    if not 1 <= size <= MAX_SIZE:
        raise GymError(f"{spec}: the size must be 1 to {MAX_SIZE}")
    return match["task"], size


def _library() -> Any:
    return require("reasoning_gym", package="reasoning-gym", needed_by="a gym set")


def _unknown(library: Any, task: str) -> GymError:
    names = sorted(getattr(getattr(library, "factory", None), "DATASETS", {}))
    close = difflib.get_close_matches(task, names, n=3)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    listed = f"; it has {len(names)}, e.g. {', '.join(names[:5])}" if names else ""
    return GymError(f"reasoning-gym has no task {task!r}{hint}{listed}")


def _cannot(task: str, exc: Exception) -> GymError:
    return GymError(f"reasoning-gym cannot make {task}: {type(exc).__name__}: {exc}")


@functools.lru_cache(maxsize=32)
def _dataset(library: Any, task: str, size: int, seed: int) -> Any:
    try:
        return library.create_dataset(task, size=size, seed=seed)
    except ValueError as exc:
        if "not registered" in str(exc):
            raise _unknown(library, task) from None
        raise _cannot(task, exc) from None
    except Exception as exc:  # noqa: BLE001 - a task that needs a configuration (composite) fails its own way
        raise _cannot(task, exc) from None


def _entry(library: Any, task: str, size: int, index: int, seed: int) -> dict[str, Any]:
    dataset = _dataset(library, task, size, seed)
    try:
        entry: dict[str, Any] = dataset[index]
    except Exception as exc:  # noqa: BLE001 - the generator is the package's code
        raise _cannot(task, exc) from None
    return entry


def _answer(entry: dict[str, Any]) -> str:
    """The item's answer as text; empty for tasks with many right answers (None), which only the scorer judges."""
    answer = entry["answer"]
    return "" if answer is None else str(answer)


def gym_items(spec: str) -> tuple[GymItem, ...]:
    """The questions of the set ``spec`` (``gym:TASK[:SIZE]``), with their answers and checkers."""
    task, size = parse_spec(spec)
    library = _library()
    items = []
    for index in range(size):
        entry = _entry(library, task, size, index, SEED)
        items.append(
            GymItem(
                id=f"gym-{task}-{index + 1}",
                question=f"{entry['question']}\n\n{ANSWER_INSTRUCTION}",
                answer=_answer(entry),
                checker=f"{PREFIX}{task}:{size}:{index}:{SEED}",
            )
        )
    return tuple(items)


def _item(checker: str) -> tuple[Any, Any, dict[str, Any]]:
    match = _CHECKER.fullmatch(checker)
    if match is None:
        raise GymError(f"{checker!r} is not a gym checker")
    task, size, index, seed = match["task"], int(match["size"]), int(match["index"]), int(match["seed"])
    if index >= size:
        raise GymError(f"{checker}: item {index} is past the set's size {size}")
    library = _library()
    return library, _dataset(library, task, size, seed), _entry(library, task, size, index, seed)


def check_item(checker: str, question: str, answer: str) -> None:
    """Raise :class:`GymError` unless ``checker``'s item, generated here, is this question with this answer (a run
    recorded with another reasoning-gym version may not be)."""
    _, _, entry = _item(checker)
    if f"{entry['question']}\n\n{ANSWER_INSTRUCTION}" != question or _answer(entry) != answer:
        raise GymError(
            f"{checker}: this reasoning-gym makes another question for this item than the set has "
            "(made with another version?)"
        )


def gym_score(answer: str, checker: str) -> bool:
    """Whether the dataset's ``score_answer`` gives ``answer`` (its ``<answer>`` tags' text, if any) full marks."""
    _, dataset, entry = _item(checker)
    tagged = _TAGGED.findall(answer)
    given = tagged[-1].strip() if tagged else answer.strip()
    return float(dataset.score_answer(given, entry)) >= 1.0
