"""A stand-in for reasoning-gym with the part of its interface thinkbot uses, for the tests that must run where the
real package (the ``eval`` extra, not in ``dev``) is not installed: ``create_dataset(name, size=..., seed=...)``
(``ValueError`` "not registered" for an unknown name), items with ``question``, ``answer`` and ``metadata``, the
dataset's ``score_answer(answer, entry)`` (a float, 1.0 for right) and ``factory.DATASETS``.

Two tasks: ``sums``, "What is A + B?", scored as a whole number (so ``07`` is right where ``7`` is, which a text
match would refuse: the set is scored by this scorer, not thinkbot's), and ``broken``, which cannot be made without
a configuration (as reasoning-gym's ``composite``). Put this directory first on ``sys.path``
(``PYTHONPATH`` for a subprocess) to use it.
"""

import random
from types import SimpleNamespace
from typing import Any

created: list[dict[str, Any]] = []  # every create_dataset call's arguments


class SumsDataset:
    def __init__(self, size: int = 500, seed: int | None = None) -> None:
        self.size = size
        self.seed = 0 if seed is None else seed

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 1000 + index)
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        return {"question": f"What is {a} + {b}?", "answer": str(a + b), "metadata": {"terms": (a, b)}}

    def score_answer(self, answer: str | None, entry: dict[str, Any]) -> float:
        try:
            return 1.0 if int(answer or "") == sum(entry["metadata"]["terms"]) else 0.01
        except ValueError:
            return 0.0


class BrokenDataset(SumsDataset):
    def __init__(self, size: int = 500, seed: int | None = None) -> None:
        raise AssertionError("datasets must be configured")


DATASETS = {"sums": SumsDataset, "broken": BrokenDataset}
factory = SimpleNamespace(DATASETS=DATASETS)


def create_dataset(name: str, **kwargs: Any) -> SumsDataset:
    if name not in DATASETS:
        raise ValueError(f"Dataset '{name}' not registered")
    created.append({"name": name, **kwargs})
    return DATASETS[name](**kwargs)
