"""The exception hierarchy of plumlogs.

Defined in Python (not in the native module) so that the classes behave like any
other Python exception: they can be subclassed, pickled and documented. The native
module raises instances of these very classes.

::

    PlumError
    ├── ParseError (also ValueError)    .line .column .offset .input .reason .kind
    ├── InvalidArgument (also ValueError)
    ├── ApiError                        .message .http_status
    │   └── AuthError
    └── TransportError                  .message
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "PlumError",
    "ParseError",
    "InvalidArgument",
    "ApiError",
    "AuthError",
    "TransportError",
]


def _rebuild(cls: "type[PlumError]", message: str, attrs: "dict[str, Any]") -> "PlumError":
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(attrs)
    return err


class PlumError(Exception):
    """Base class of every error plumlogs raises."""

    def __reduce__(self) -> Any:
        # Keyword-only attributes do not survive the default Exception pickling.
        message = self.args[0] if self.args else ""
        return (_rebuild, (type(self), message, dict(self.__dict__)))


class ParseError(PlumError, ValueError):
    """A log line, call-log text or response body did not parse.

    Attributes:
        line: 1-based line number within the text (``None`` if unknown).
        column: 1-based column within that line (bytes for log lines, characters
            for response bodies; ``None`` if unknown).
        offset: 0-based byte offset within the whole text (``None`` if unknown).
        input: the offending line, as written.
        reason: what was expected, as a sentence.
        kind: a stable machine-readable name for the reason, e.g. ``"bad_month"``.
    """

    line: Optional[int]
    column: Optional[int]
    offset: Optional[int]
    input: str
    reason: str
    kind: str

    def __init__(
        self,
        message: str,
        *,
        line: Optional[int] = None,
        column: Optional[int] = None,
        offset: Optional[int] = None,
        input: str = "",
        reason: str = "",
        kind: str = "",
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.offset = offset
        self.input = input
        self.reason = reason
        self.kind = kind


class InvalidArgument(PlumError, ValueError):
    """An argument was rejected before any request was sent."""


class ApiError(PlumError):
    """The server answered ``failure``.

    Attributes:
        message: the server's own text.
        http_status: the HTTP status of the answer (``None`` when there was no
            HTTP exchange, e.g. for :func:`plumlogs.decode_response`).
    """

    message: str
    http_status: Optional[int]

    def __init__(
        self, message: str, *, http_status: Optional[int] = None, description: Optional[str] = None
    ) -> None:
        super().__init__(description or message)
        self.message = message
        self.http_status = http_status


class AuthError(ApiError):
    """Bad or missing credentials (HTTP 401/403, or none configured at all)."""


class TransportError(PlumError):
    """Connection failure, timeout or a broken body, after the retries were spent.

    Attributes:
        message: what went wrong.
    """

    message: str

    def __init__(self, message: str, *, description: Optional[str] = None) -> None:
        super().__init__(description or message)
        self.message = message
