"""A server's or workspace's own settings, as adapters show them and the core applies them.

The data (:class:`PlaceSettings`, :class:`PlaceUsage`) is what adapters handle; :class:`Places` is the core's
policy over the stored settings (:class:`~core.state.place_settings.PlaceSettingsStore`): a model only from the
operator's allowlist, a budget at most the operator's, and the channels and roles a place answers in.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import InputError
from core.events import ChainFailed
from core.kinds import FailureKind
from core.request import ThinkRequest

if TYPE_CHECKING:
    from core.state.place_settings import PlaceSettingsStore

__all__ = ["PlaceSettings", "PlaceUsage", "Places"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceSettings:
    """``None`` or empty: the deployment's default. ``channels``: the only channels the bot answers in;
    ``roles``: the only roles (Slack: user groups) whose members it answers; ``daily_tokens``: the place's own
    budget, at most the operator's."""

    model: str | None = None
    strategy: str | None = None
    display: str | None = None
    channels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    daily_tokens: int | None = None
    changed_by: str = ""
    changed_at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> PlaceSettings:
        body: dict[str, Any] = json.loads(raw)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in body.items() if k in known}
        for name in ("channels", "roles"):
            values[name] = tuple(str(v) for v in values.get(name, ()))
        return cls(**values)

    def changes(self, other: PlaceSettings) -> list[str]:
        """Names of the fields (other than who and when) that differ from ``other``."""
        skip = {"changed_by", "changed_at"}
        return [
            f.name
            for f in dataclasses.fields(self)
            if f.name not in skip and getattr(self, f.name) != getattr(other, f.name)
        ]


@dataclass(frozen=True, slots=True)
class PlaceUsage:
    """A place's day so far: LLM tokens against its budget (``None``: no budget), questions admitted, how many a
    cached answer served, and the chains run per strategy, most used first."""

    tokens: int
    token_limit: int | None
    questions: int
    cache_hits: int
    strategies: dict[str, int]


class Places:
    """``get`` a place's settings, ``change`` them after checking, and what they mean for a request."""

    def __init__(
        self,
        *,
        store: PlaceSettingsStore | None,
        default_model: str,
        allowed_models: Collection[str],
        strategies: Collection[str],
        budget_cap: int,
    ) -> None:
        self._store = store
        self.allowed_models = tuple(dict.fromkeys((default_model, *allowed_models)))
        self._strategies = strategies
        self._budget_cap = budget_cap

    async def get(self, place: str) -> PlaceSettings:
        """``place``'s own settings (its defaults when it has none, or without a store)."""
        return PlaceSettings() if self._store is None else await self._store.get(place)

    async def change(self, place: str, settings: PlaceSettings, *, by: str) -> PlaceSettings:
        """Store ``place``'s settings after checking them (``InputError`` saying what is wrong)."""
        if self._store is None:
            raise InputError("Settings per server or workspace need Redis (REDIS_URL).")
        if settings.model is not None and settings.model not in self.allowed_models:
            raise InputError(
                f"Model {settings.model!r} is not offered; choose one of: {', '.join(self.allowed_models)}."
            )
        if settings.strategy is not None and settings.strategy not in self._strategies:
            raise InputError(f"Unknown strategy {settings.strategy!r}; choose one of: {', '.join(self._strategies)}.")
        if settings.daily_tokens is not None and (
            settings.daily_tokens < 1 or (self._budget_cap and settings.daily_tokens > self._budget_cap)
        ):
            cap = f"from 1 to {self._budget_cap:,}" if self._budget_cap else "at least 1"
            raise InputError(f"The daily token budget must be {cap}.")
        return await self._store.put(place, settings, by=by)

    def check_model(self, request: ThinkRequest) -> None:
        """A chat request may name only an allowed model (the terminal's own user, place ``local``, any)."""
        if request.model is not None and request.model not in self.allowed_models and request.place != "local":
            raise InputError(
                f"Model {request.model!r} is not offered here; choose one of: {', '.join(self.allowed_models)}."
            )

    def model(self, settings: PlaceSettings) -> str | None:
        """The place's model, while the operator still offers it."""
        return settings.model if settings.model in self.allowed_models else None

    def strategy(self, settings: PlaceSettings) -> str | None:
        return settings.strategy if settings.strategy in self._strategies else None

    def daily_tokens(self, settings: PlaceSettings) -> int | None:
        """The place's own budget, held to the operator's; ``None``: the operator's."""
        if settings.daily_tokens is None:
            return None
        return min(settings.daily_tokens, self._budget_cap) if self._budget_cap else settings.daily_tokens

    @staticmethod
    def refusal(settings: PlaceSettings, request: ThinkRequest, chain_id: str) -> ChainFailed | None:
        """The refusal for a request outside the place's allowed channels or roles, if it has such lists."""
        if settings.channels and request.channel not in settings.channels:
            message = "An admin has limited this bot to some channels here; please ask in one of them."
        elif settings.roles and not set(request.roles) & set(settings.roles):
            message = "An admin has limited this bot to some roles here, and yours is not one of them."
        else:
            return None
        return ChainFailed(chain_id=chain_id, kind=FailureKind.NOT_ALLOWED, message=message)
