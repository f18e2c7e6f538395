"""The exception hierarchy of plumlogs.

Defined in Python (not in the native module) so that the classes behave like any
other Python exception: they can be subclassed, pickled and documented. The native
module raises instances of these very classes.

::

    PlumError                           .code .kind .message, str() the whole message
    ├── ParseError (also ValueError)    .line .column .offset .input .reason
    ├── InvalidArgument (also ValueError) .field .reason
    ├── ApiError                        .http_status
    │   └── AuthError
    ├── TransportError
    └── ServerWarning (a UserWarning, not an exception raised)

Each class's ``code`` is the core's error code (``PARSE_ERROR``, …); ``_BY_CODE``
is the table the native module raises from. ``kind``, ``http_status``, the
location and every message are the core's too, the same in Rust, Python, Node and
the CLI.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "AuthError",
    "InvalidArgument",
    "ParseError",
    "PlumError",
    "ServerWarning",
    "TransportError",
]


def _rebuild(cls: type[PlumError], message: str, attrs: dict[str, Any]) -> PlumError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(attrs)
    return err


class PlumError(Exception):
    """Base class of every error plumlogs raises.

    Attributes:
        code: the core's stable error code, e.g. ``"INVALID_ARGUMENT"``.
        kind: a finer machine-readable name where there is one (``"bad_month"``,
            ``"malformed_body"``, ``"missing_credentials"``), else ``None``.
        message: the server's or transport's own text for ``ApiError``,
            ``AuthError`` and ``TransportError``; the whole message otherwise.
            ``str(error)`` is always the whole message.
        path: the file the input was read from (a path or an open file given to
            a parse function), else ``None``; the message then starts with it.
    """

    code: str = ""
    kind: str | None
    message: str
    path: str | None

    def __init__(
        self, message: str, *, description: str | None = None, kind: str | None = None
    ) -> None:
        super().__init__(description or message)
        self.message = message
        self.kind = kind
        self.path = None

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
        input: the offending line, as written (for a body, at most a few hundred
            bytes of it around the offset).
        reason: what was expected, as a sentence.
        kind: a stable machine-readable name for the reason, e.g. ``"bad_month"``.
    """

    code = "PARSE_ERROR"
    line: int | None
    column: int | None
    offset: int | None
    input: str
    reason: str

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
        input: str = "",
        reason: str = "",
        kind: str | None = "",
        description: str | None = None,
    ) -> None:
        super().__init__(message, description=description, kind=kind)
        self.line = line
        self.column = column
        self.offset = offset
        self.input = input
        self.reason = reason


class InvalidArgument(PlumError, ValueError):  # noqa: N818 - the public name in every binding
    """An argument was rejected before any request was sent.

    Attributes:
        field: the argument, as you named it (``"timeout"``, ``"backoff[1]"``).
        reason: what is wrong with it, with the value given.
    """

    code = "INVALID_ARGUMENT"
    field: str | None
    reason: str

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        reason: str = "",
        kind: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(message, description=description, kind=kind)
        self.field = field
        self.reason = reason


class ApiError(PlumError):
    """The server answered ``failure``.

    Attributes:
        message: the server's own text.
        http_status: the HTTP status of the answer (``None`` when there was no
            HTTP exchange, e.g. for :func:`plumlogs.decode_response`, or no request
            at all, e.g. missing credentials).
    """

    code = "API_ERROR"
    http_status: int | None

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        description: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message, description=description, kind=kind)
        self.http_status = http_status


class AuthError(ApiError):
    """Bad or missing credentials (HTTP 401/403, or none configured at all: then
    ``kind`` is ``"missing_credentials"`` and nothing was sent)."""

    code = "AUTH_ERROR"


class TransportError(PlumError):
    """Connection failure, timeout or a broken body, after the retries were spent;
    or a listing the server left shorter than its own count (``kind`` is then
    ``"incomplete_listing"``).

    Attributes:
        message: what went wrong.
        reported: for an incomplete listing, the record count the server reported.
        received: for an incomplete listing, the records received before it broke off.
    """

    code = "TRANSPORT_ERROR"
    reported: int | None
    received: int | None

    def __init__(
        self,
        message: str,
        *,
        reported: int | None = None,
        received: int | None = None,
        description: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message, description=description, kind=kind)
        self.reported = reported
        self.received = received


class ServerWarning(UserWarning):
    """The server answered ``success`` but also sent an error text (for example
    ``"partial results: database timeout"``): issued with :func:`warnings.warn`
    while a listing is read."""


#: The core's error code → the class raised for it.
_BY_CODE: dict[str, type[PlumError]] = {
    cls.code: cls for cls in (ParseError, InvalidArgument, ApiError, AuthError, TransportError)
}
