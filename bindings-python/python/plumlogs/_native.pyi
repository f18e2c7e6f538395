"""Type stubs of the native module ``plumlogs._native`` (Rust, PyO3)."""

import datetime
import os
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import IO, Any, Generic, Literal, TypeVar, final, overload

from typing_extensions import TypeAlias

from ._errors import InvalidArgument, ParseError, PlumError
from ._types import ResponseMeta, RetryEvent, SessionIdParts

__version__: str
__all__ = [
    "CallLog",
    "CallLogEntry",
    "CallLogsWithText",
    "CallSummary",
    "Client",
    "Emulator",
    "ErrorRecord",
    "Follow",
    "Listing",
    "ParseResult",
    "RecordChunks",
    "RecordList",
    "SessionRecord",
    "__version__",
    "_defaults",
    "_error_codes",
    "_frame_schema",
    "_frame_stream",
    "_invalid_argument",
    "_plum_log_level",
    "_split_session_id",
    "_sync",
    "decode_response",
    "parse_call_log",
    "parse_error_line",
    "parse_errors",
    "parse_session_line",
    "parse_sessions",
]

_R = TypeVar("_R", SessionRecord, ErrorRecord, CallLogEntry, CallSummary)
_Lines: TypeAlias = Literal["all", "calls", "tags"]
# Log text, a file by its path, or an open file (binary or text).
_Source: TypeAlias = str | bytes | os.PathLike[str] | IO[str] | IO[bytes]

@final
class SessionRecord:
    """One session log line."""

    @property
    def kind(self) -> str: ...
    @property
    def ani(self) -> str: ...
    @property
    def channel(self) -> int: ...
    @property
    def timestamp(self) -> datetime.datetime: ...
    @property
    def dnis(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def session_id_parts(self) -> SessionIdParts | None: ...
    @property
    def call_start(self) -> int | None: ...
    @property
    def call_end(self) -> int | None: ...
    @property
    def duration(self) -> int | None: ...
    @property
    def label(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class ErrorRecord:
    """One error log line."""

    @property
    def ani(self) -> str: ...
    @property
    def channel(self) -> int: ...
    @property
    def timestamp(self) -> datetime.datetime: ...
    @property
    def dnis(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def session_id_parts(self) -> SessionIdParts | None: ...
    @property
    def message(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class CallLogEntry:
    """One entry of a call log; ``timestamp`` is naive when ``zone`` is unknown."""

    @property
    def timestamp(self) -> datetime.datetime: ...
    @property
    def zone(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def session_id_parts(self) -> SessionIdParts | None: ...
    @property
    def level(self) -> str: ...
    @property
    def message(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class CallSummary:
    """One item of the ``calls/logs`` listing."""

    @property
    def log_id(self) -> int: ...
    @property
    def session_id(self) -> str: ...
    @property
    def session_id_parts(self) -> SessionIdParts | None: ...
    @property
    def dest(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def src(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class RecordList(Sequence[_R], Generic[_R]):
    """An immutable sequence of records of one type, made on access."""

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int, /) -> _R: ...
    @overload
    def __getitem__(self, index: slice, /) -> RecordList[_R]: ...
    def __iter__(self) -> Iterator[_R]: ...
    def __contains__(self, item: object, /) -> bool: ...
    def index(self, value: object, start: int = 0, stop: int | None = None) -> int: ...
    def count(self, value: object) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    @property
    def record_type(self) -> str: ...
    @property
    def total(self) -> int | None: ...
    def to_list(self) -> list[_R]: ...
    def to_dicts(self) -> list[dict[str, Any]]: ...
    def _repr_html_(self) -> str: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_arrow(
        self, *, derived: bool = False, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pyarrow.Table
    def to_pandas(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pandas.DataFrame
    def to_polars(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # polars.DataFrame

@final
class RecordChunks(Generic[_R]):
    """The chunks behind ``iter(RecordList)``: lists of up to 1024 records."""

    def __iter__(self) -> RecordChunks[_R]: ...
    def __next__(self) -> list[_R]: ...

@final
class ParseResult(Generic[_R]):
    """What a bulk parser returns with ``strict=False``."""

    @property
    def records(self) -> RecordList[_R]: ...
    @property
    def problems(self) -> list[ParseError]: ...
    @property
    def ok(self) -> bool: ...
    def _repr_html_(self) -> str: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[_R]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_arrow(
        self, *, derived: bool = False, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pyarrow.Table
    def to_pandas(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pandas.DataFrame
    def to_polars(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # polars.DataFrame

@final
class CallLog:
    """One call's detailed log."""

    @property
    def log_id(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def entries(self) -> RecordList[CallLogEntry]: ...
    def __len__(self) -> int: ...

@final
class Listing(Generic[_R]):
    """The records of one listing, fetched a page at a time as it is iterated."""

    def __iter__(self) -> Listing[_R]: ...
    def __next__(self) -> _R: ...
    @property
    def total_hint(self) -> int | None: ...
    def prefetch(self) -> Listing[_R]:
        """Fetch the first page now (kept), so ``total_hint`` is known before the
        first record is read; returns the listing."""
    @property
    def last_response(self) -> ResponseMeta | None:
        """The last page's response (status, kept headers, elapsed seconds, attempt,
        bytes), or ``None`` before the first page."""
    def close(self) -> None:
        """Stop the listing's work from any thread: no further request is made."""
    def collect(self) -> RecordList[_R]: ...
    def _repr_html_(self) -> str: ...
    def _next_page(self, rewind: bool = False) -> RecordList[_R] | None: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_arrow(
        self, *, derived: bool = False, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pyarrow.Table
    def to_pandas(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # pandas.DataFrame
    def to_polars(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any: ...  # polars.DataFrame

@final
class Follow(Generic[_R]):
    """New records of a log as they arrive: an endless iterator, until ``stop()``."""

    def __iter__(self) -> Follow[_R]: ...
    def __next__(self) -> _R: ...
    def stop(self) -> None:
        """End the follow (from any thread): the iterator then stops."""
    @property
    def stopped(self) -> bool:
        """Whether ``stop()`` was called."""
    def __enter__(self) -> Follow[_R]: ...
    def __exit__(
        self,
        t: type[BaseException] | None,
        v: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

@final
class CallLogsWithText:
    """``(CallSummary, CallLog)`` pairs in listing order."""

    def __iter__(self) -> CallLogsWithText: ...
    def __next__(self) -> tuple[CallSummary, CallLog | PlumError]: ...
    def __len__(self) -> int: ...
    def close(self) -> None:
        """Stop fetching logs (from any thread): the iterator then ends."""

_Time: TypeAlias = int | float | str | datetime.datetime | datetime.date | datetime.timedelta

@final
class Client:
    """A client of the Plum Call Log API (blocking; thread-safe)."""

    def __new__(
        cls,
        username: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        format: Literal["json", "xml"] = "json",
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff: tuple[float, float] | None = None,
        user_agent: str | None = None,
        deadline: float | None = None,
        proxy: str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        tls_roots: Literal["builtin", "platform"] | None = None,
        on_retry: Callable[[RetryEvent], object] | None = None,
    ) -> Client: ...
    @staticmethod
    def from_profile(
        name: str | None = None,
        *,
        password: str | None = None,
        base_url: str | None = None,
        format: Literal["json", "xml"] = "json",
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff: tuple[float, float] | None = None,
        user_agent: str | None = None,
        deadline: float | None = None,
        proxy: str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        tls_roots: Literal["builtin", "platform"] | None = None,
        on_retry: Callable[[RetryEvent], object] | None = None,
    ) -> Client:
        """A client of a named profile of the config file (password from its variable)."""
    @property
    def base_url(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def format(self) -> str: ...
    def sessions(
        self,
        start: _Time | None,
        end: _Time | None = None,
        *,
        number: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        progress: bool = False,
        concurrency: int | None = None,
        sub_window_seconds: int | None = None,
    ) -> Listing[SessionRecord]: ...
    def errors(
        self,
        start: _Time | None,
        end: _Time | None = None,
        *,
        number: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        progress: bool = False,
        concurrency: int | None = None,
        sub_window_seconds: int | None = None,
    ) -> Listing[ErrorRecord]: ...
    def call_logs(
        self,
        start: _Time | None,
        end: _Time | None = None,
        *,
        number: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        progress: bool = False,
        concurrency: int | None = None,
        sub_window_seconds: int | None = None,
    ) -> Listing[CallSummary]: ...
    def call_log(self, log_id: int) -> CallLog: ...
    def call_logs_with_text(
        self,
        start: _Time | None,
        end: _Time | None = None,
        *,
        number: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        concurrency: int | None = None,
        on_error: Literal["raise", "return"] = "raise",
        progress: bool = False,
    ) -> CallLogsWithText: ...
    def follow_sessions(
        self,
        *,
        interval: float | None = None,
        lookback_seconds: int | None = None,
        since: _Time | None = None,
        number: str | None = None,
        page_size: int | None = None,
    ) -> Follow[SessionRecord]:
        """New session records as they arrive (an endless iterator until ``stop()``)."""
    def follow_errors(
        self,
        *,
        interval: float | None = None,
        lookback_seconds: int | None = None,
        since: _Time | None = None,
        number: str | None = None,
        page_size: int | None = None,
    ) -> Follow[ErrorRecord]:
        """New error records as they arrive (an endless iterator until ``stop()``)."""

@final
class Emulator:
    """A Plum Call Log API emulator on 127.0.0.1 (a context manager)."""

    def __new__(
        cls,
        seed: int = 7,
        *,
        calls_per_day: int = 2000,
        username: str | None = None,
        password: str | None = None,
        port: int = 0,
        clock: _Time | None = None,
    ) -> Emulator: ...
    @property
    def base_url(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def port(self) -> int: ...
    def now(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def set_clock(self, now: _Time | None) -> None: ...
    def inject_status(
        self,
        status: int,
        *,
        count: int = 1,
        retry_after: int | None = None,
        path_prefix: str | None = None,
    ) -> None: ...
    def inject_slow(
        self, delay_ms: int, *, count: int = 1, path_prefix: str | None = None
    ) -> None: ...
    def inject_truncated(self, *, count: int = 1, path_prefix: str | None = None) -> None: ...
    def inject_malformed(self, *, count: int = 1, path_prefix: str | None = None) -> None: ...
    def inject_documented_failure(
        self, status: int, *, count: int = 1, path_prefix: str | None = None
    ) -> None: ...
    def inject_drop(self, *, count: int = 1, path_prefix: str | None = None) -> None: ...
    def inject(self, fault: dict[str, Any]) -> None: ...
    def faults(self) -> list[dict[str, Any]]: ...
    def clear_faults(self) -> None: ...
    def requests(self) -> list[dict[str, Any]]: ...
    def clear_requests(self) -> None: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Emulator: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> bool: ...

def parse_session_line(line: str | bytes) -> SessionRecord: ...
def parse_error_line(line: str | bytes) -> ErrorRecord: ...
@overload
def parse_sessions(text: _Source, strict: Literal[True] = True) -> RecordList[SessionRecord]: ...
@overload
def parse_sessions(text: _Source, strict: Literal[False]) -> ParseResult[SessionRecord]: ...
@overload
def parse_sessions(
    text: _Source, strict: bool
) -> RecordList[SessionRecord] | ParseResult[SessionRecord]: ...
@overload
def parse_errors(text: _Source, strict: Literal[True] = True) -> RecordList[ErrorRecord]: ...
@overload
def parse_errors(text: _Source, strict: Literal[False]) -> ParseResult[ErrorRecord]: ...
@overload
def parse_errors(
    text: _Source, strict: bool
) -> RecordList[ErrorRecord] | ParseResult[ErrorRecord]: ...
@overload
def parse_call_log(text: _Source, strict: Literal[True] = True) -> RecordList[CallLogEntry]: ...
@overload
def parse_call_log(text: _Source, strict: Literal[False]) -> ParseResult[CallLogEntry]: ...
@overload
def parse_call_log(
    text: _Source, strict: bool
) -> RecordList[CallLogEntry] | ParseResult[CallLogEntry]: ...
@overload
def decode_response(body: _Source, service: Literal["sessions"]) -> RecordList[SessionRecord]: ...
@overload
def decode_response(body: _Source, service: Literal["errors"]) -> RecordList[ErrorRecord]: ...
@overload
def decode_response(body: _Source, service: Literal["logs"]) -> RecordList[CallSummary]: ...
@overload
def decode_response(body: _Source, service: Literal["log"]) -> CallLog: ...
@overload
def decode_response(body: _Source, service: str) -> RecordList[Any] | CallLog: ...
def _split_session_id(session_id: str) -> tuple[str, int, int] | None: ...
def _defaults() -> dict[str, float]: ...
def _error_codes() -> list[str]: ...
def _frame_stream(
    records: RecordList[Any],
    derived: bool,
    lines: str | None = None,
    requested_schema: object | None = None,
) -> object: ...
def _frame_schema(
    record_type: str, derived: bool = True, lines: str | None = None
) -> list[dict[str, Any]]: ...
def _invalid_argument(field: str, reason: str) -> InvalidArgument: ...
def _plum_log_level(value: str | None) -> int | None: ...
def _sync(
    dir: str,
    client: Client,
    *,
    tables: list[str] | None = None,
    since: int | datetime.datetime | None = None,
    concurrency: int | None = None,
    seal_lag_seconds: int | None = None,
    log_settle_seconds: int | None = None,
) -> tuple[str, str | None]:
    """Run one sync of `dir` with `client`. Returns `(report_json, None)` when every
    day was written, `(report_json, message)` when some days failed (the others were
    written); raises for anything that stopped the run as a whole."""
