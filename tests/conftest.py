"""Shared fixtures. Fixtures for one area live next to its tests; the cross-cutting ones live here."""
