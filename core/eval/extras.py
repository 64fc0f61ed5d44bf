"""The ``eval`` extra's packages, imported only when a set or checker needs them.

``import core.eval.*`` never imports them: a missing package shows up as one readable line when it is needed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["INSTALL_HINT", "MissingExtraError", "require"]

INSTALL_HINT = "pip install 'thinkbot[eval]'"


class MissingExtraError(ValueError):
    """A package of the ``eval`` extra is not installed; the message says which and how to install it."""


def require(module: str, *, package: str, needed_by: str) -> ModuleType:
    """The imported ``module``, or :class:`MissingExtraError` naming ``package`` and what needs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(f"{needed_by} needs {package}, which is not installed: {INSTALL_HINT}") from None
