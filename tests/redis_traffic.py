"""What a redis-py client sends, counted at the socket: round trips and bytes, connection set-up left out.

One round trip is one write of commands to the server: a single command, or a whole pipeline. Tests use it so the
round-trip counts cannot creep back; ``bench.redis_traffic`` prints the same figures.

    traffic = count_traffic(store.redis)   # before the client's first command
    ...
    traffic.trips, traffic.sent
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

__all__ = ["Traffic", "count_traffic"]


@dataclass
class Traffic:
    trips: int = 0
    sent: int = 0

    def reset(self) -> None:
        self.trips = self.sent = 0


def _size(command: bytes | str | Iterable[bytes]) -> int:
    if isinstance(command, bytes | str):
        return len(command)
    return sum(len(part) for part in command)


def count_traffic(client: Redis) -> Traffic:
    """Count what ``client``'s connections made from now on send (so call it before the client connects)."""
    traffic = Traffic()
    base = client.connection_pool.connection_class

    class Counting(base):  # type: ignore[valid-type,misc]  # a subclass of whichever class the pool uses
        _setting_up = False

        async def on_connect_check_health(self, check_health: bool = True) -> None:
            self._setting_up = True
            try:
                await super().on_connect_check_health(check_health)
            finally:
                self._setting_up = False

        async def send_packed_command(self, command: bytes | str | Iterable[bytes], check_health: bool = True) -> None:
            if not self._setting_up:
                traffic.trips += 1
                traffic.sent += _size(command)
            await super().send_packed_command(command, check_health)

    client.connection_pool.connection_class = Counting
    return traffic
