"""plumlogs: Plum Voice call, session and error logs as Python objects and DataFrames.

A thin layer over the Rust crate ``plumlogs``: the parsers, decoders and HTTP client
are Rust; this package gives them Pythonic names, exceptions and DataFrame exits.

>>> import plumlogs
>>> rec = plumlogs.parse_session_line(
...     "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 "
...     "200035;003;1509734279 1509734310 1509734339 00:00:29")
>>> rec.kind, rec.duration, rec.timestamp.isoformat()
('inbound', 29, '2017-11-03T14:38:30-05:00')
"""

from __future__ import annotations

from . import _log, _native
from ._aio import AsyncCallLogsWithText, AsyncClient, AsyncFollow, AsyncListing
from ._errors import (
    ApiError,
    AuthError,
    InvalidArgument,
    ParseError,
    PlumError,
    ServerWarning,
    TransportError,
)
from ._native import (
    CallLog,
    CallLogEntry,
    CallLogsWithText,
    CallSummary,
    Client,
    Emulator,
    ErrorRecord,
    Follow,
    Listing,
    ParseResult,
    RecordList,
    SessionRecord,
    decode_response,
    parse_call_log,
    parse_error_line,
    parse_errors,
    parse_session_line,
    parse_sessions,
)
from ._sync import DayFailure, DayRef, SyncError, SyncReport, sync
from ._types import ResponseMeta, RetryEvent, SessionIdParts

__version__: str = _native.__version__

_log.configure_from_env()

__all__ = [
    "ApiError",
    "AsyncCallLogsWithText",
    "AsyncClient",
    "AsyncFollow",
    "AsyncListing",
    "AuthError",
    "CallLog",
    "CallLogEntry",
    "CallLogsWithText",
    "CallSummary",
    "Client",
    "DayFailure",
    "DayRef",
    "Emulator",
    "ErrorRecord",
    "Follow",
    "InvalidArgument",
    "Listing",
    "ParseError",
    "ParseResult",
    "PlumError",
    "RecordList",
    "ResponseMeta",
    "RetryEvent",
    "ServerWarning",
    "SessionIdParts",
    "SessionRecord",
    "SyncError",
    "SyncReport",
    "TransportError",
    "decode_response",
    "parse_call_log",
    "parse_error_line",
    "parse_errors",
    "parse_session_line",
    "parse_sessions",
    "split_session_id",
    "sync",
]

# RecordList implements the whole read-only sequence protocol natively, but is not
# registered as a `collections.abc.Sequence`: polars' DataFrame constructor reads a
# registered Sequence row by row into one column of objects, and an unregistered one
# through the Arrow stream protocol, column by column without a copy.


def split_session_id(session_id: str) -> SessionIdParts | None:
    """Split a raw session id ``serverid;channel;starttime`` into its parts.

    Returns ``None`` when the id does not have that shape.

    >>> split_session_id("000020;000;1483968637")
    SessionIdParts(server='000020', channel=0, start=1483968637)
    """
    parts = _native._split_session_id(session_id)
    return None if parts is None else SessionIdParts(*parts)


# `from __future__ import annotations` binds the name `annotations` in the module;
# it is no part of the API (`dir(plumlogs)` shows exactly `__all__`).
del annotations
