"""Small pure-Python value types."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["ResponseMeta", "RetryEvent", "SessionIdParts"]


class SessionIdParts(NamedTuple):
    """The parts of a raw session id ``serverid;channel;starttime``."""

    server: str
    """The server id as written, leading zeros kept."""
    channel: int
    """The channel number."""
    start: int
    """The session's start, UNIX seconds."""


class ResponseMeta(NamedTuple):
    """One HTTP attempt and what it came to (``Listing.last_response``)."""

    method: str
    """``GET``."""
    path: str
    """Path and query after the base URL (no credentials: those are headers)."""
    status: int | None
    """The HTTP status, or ``None`` when no answer came."""
    attempt: int
    """Which attempt this was, from 1."""
    elapsed: float
    """Seconds from sending to the last byte of the body (or to the failure)."""
    bytes: int
    """Body bytes read."""
    headers: dict[str, str]
    """A few harmless response headers (``content-type``, ``date``, ``retry-after``,
    ``x-request-id``, rate-limit headers, …), lowercase names."""


class RetryEvent(NamedTuple):
    """A retry about to be waited for, as the ``on_retry`` callback receives it."""

    response: ResponseMeta
    """The attempt that failed."""
    error: str
    """Why it failed."""
    wait: float
    """Seconds before the next attempt."""
