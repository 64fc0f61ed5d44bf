"""Who lives in the fake workspace: team, app, bot, users, and the tokens and secret the fake accepts."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["User", "Workspace"]


@dataclass(frozen=True, slots=True)
class User:
    """``is_admin``/``is_owner``/``is_primary_owner``: the workspace roles ``users.info`` reports (an owner is an
    admin too, as on Slack)."""

    id: str
    name: str
    is_bot: bool = False
    tz: str = "Europe/Berlin"
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False


def _default_users() -> tuple[User, ...]:
    return (User(id="U0ALICE", name="alice"), User(id="U0BOB", name="bob"))


@dataclass(frozen=True, slots=True)
class Workspace:
    """One team with one installed app. Tokens and the signing secret never show in reprs."""

    team_id: str = "T0THINK"
    team_domain: str = "thinkbot-test"
    enterprise_id: str | None = None
    app_id: str = "A0THINK"
    bot_id: str = "B0THINK"
    bot_user_id: str = "U0THINKBOT"
    bot_name: str = "thinkbot"
    bot_token: str = field(default="xoxb-1-fake-bot-token", repr=False)
    app_token: str = field(default="xapp-1-A0THINK-fake-app-token", repr=False)
    signing_secret: str = field(default="fake-signing-secret-0123456789abcdef", repr=False)
    verification_token: str = field(default="fake-verification-token", repr=False)
    users: tuple[User, ...] = field(default_factory=_default_users)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    """User groups (``S…`` id -> member user ids), for ``usergroups.list``."""

    def bot_user(self) -> User:
        return User(id=self.bot_user_id, name=self.bot_name, is_bot=True)

    def user(self, user_id: str) -> User | None:
        """A human from ``users`` or the bot itself; ``None`` for anyone else."""
        if user_id == self.bot_user_id:
            return self.bot_user()
        return next((u for u in self.users if u.id == user_id), None)
