"""Moved to :mod:`core.drain` (the drain is the core's); this name stays only while imports move over."""

from core.drain import INTERRUPTED, RESTARTING, DrainReport, GracefulService

__all__ = ["INTERRUPTED", "RESTARTING", "DrainReport", "GracefulService"]
