"""Small pure-Python value types."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SessionIdParts"]


class SessionIdParts(NamedTuple):
    """The parts of a raw session id ``serverid;channel;starttime``."""

    server: str
    """The server id as written, leading zeros kept."""
    channel: int
    """The channel number."""
    start: int
    """The session's start, UNIX seconds."""
