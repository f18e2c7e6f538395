"""``plumlogs.AsyncClient``: the client for asyncio.

Every blocking step (a page of a listing, a call log, a follow's poll) runs on the
event loop's default executor, with the GIL released while it waits on the network;
the loop itself only hands records over. Nothing here decides anything: arguments go
to the native ``Client`` unchanged, so defaults, ranges and errors are the core's.

Cancelling a task that awaits a listing, a follow or ``call_log`` stops the work in
flight: the listing is closed (no further request is made; one under way finishes in
the background and is dropped; sub-window workers stop), a follow is stopped (its
wait between polls ends at once).
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from ._errors import PlumError
from ._native import (
    CallLog,
    CallLogsWithText,
    CallSummary,
    Client,
    ErrorRecord,
    Follow,
    Listing,
    RecordList,
    SessionRecord,
)

if TYPE_CHECKING:
    from typing_extensions import Self, TypeAlias

    # Which lines a frame holds: as `Listing.to_pandas(lines=...)`.
    _Lines: TypeAlias = Literal["all", "calls", "tags"]

__all__ = ["AsyncCallLogsWithText", "AsyncClient", "AsyncFollow", "AsyncListing"]

_T = TypeVar("_T")
_R = TypeVar("_R", SessionRecord, ErrorRecord, CallSummary)


async def _off_loop(fn: Callable[..., _T], *args: Any) -> _T:
    """``fn(*args)`` on the loop's default executor."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args))


class _Closing:
    """``async with``: ``close()`` on the way out."""

    def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncListing(_Closing, Generic[_R]):
    """The records of one listing as an async iterator (``async for rec in ...``).

    Pages are fetched off the event loop, one at a time as the iteration needs them.
    ``await collect()``, ``await to_arrow()``, ``await to_pandas()`` and
    ``await to_polars()`` fetch the rest off the loop too. A finished listing is
    fetched afresh when it is iterated or collected again. Cancelling an ``await`` on
    it closes it (see ``close()``).
    """

    def __init__(self, listing: Listing[Any]) -> None:
        self._listing = listing
        self._page: RecordList[Any] | None = None
        self._pos = 0
        self._rewind = False

    def __aiter__(self) -> AsyncListing[_R]:
        self._rewind = True  # a finished listing starts again (on the next page's thread)
        return self

    async def __anext__(self) -> _R:
        while self._page is None or self._pos >= len(self._page):
            rewind, self._rewind = self._rewind, False
            page = await self._guard(self._listing._next_page, rewind)
            if page is None:
                self._page = None
                raise StopAsyncIteration
            self._page, self._pos = page, 0
        rec = self._page[self._pos]
        self._pos += 1
        return rec  # type: ignore[no-any-return]

    async def _guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return await _off_loop(fn, *args)
        except asyncio.CancelledError:
            self._listing.close()
            raise

    async def collect(self) -> RecordList[_R]:
        """Every remaining record (every record, if finished) as a ``RecordList``."""
        if self._page is not None and self._pos < len(self._page):
            raise RuntimeError(
                "collect() in the middle of an async iteration would drop the records "
                "of the page being read: finish the `async for` first"
            )
        self._page = None
        return await self._guard(self._listing.collect)  # type: ignore[no-any-return]

    async def to_arrow(
        self, *, derived: bool = False, lines: _Lines | None = None, tz: str | None = None
    ) -> Any:
        """A ``pyarrow.Table`` of every remaining record (options as ``Listing.to_arrow``)."""
        return (await self.collect()).to_arrow(derived=derived, lines=lines, tz=tz)

    async def to_pandas(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any:
        """A ``pandas.DataFrame`` of every remaining record (options as ``Listing.to_pandas``)."""
        return (await self.collect()).to_pandas(derived=derived, lines=lines, tz=tz)

    async def to_polars(
        self, *, derived: bool = True, lines: _Lines | None = None, tz: str | None = None
    ) -> Any:
        """A ``polars.DataFrame`` of every remaining record (options as ``Listing.to_polars``)."""
        return (await self.collect()).to_polars(derived=derived, lines=lines, tz=tz)

    @property
    def total_hint(self) -> int | None:
        """The server's ``total_*`` count from the last page, when it sends one."""
        return self._listing.total_hint

    async def prefetch(self) -> AsyncListing[_R]:
        """Fetch the first page now (kept), so ``total_hint`` is known before the
        first record is read; returns the listing."""
        await self._guard(self._listing.prefetch)
        return self

    @property
    def last_response(self) -> Any:
        """The last page's ``ResponseMeta``, or ``None`` before the first page."""
        return self._listing.last_response

    def close(self) -> None:
        """Stop the listing's work: no further request is made."""
        self._listing.close()


class AsyncFollow(_Closing, Generic[_R]):
    """New records as they arrive, as an endless async iterator.

    ``stop()`` (or cancelling the task that awaits it, or leaving ``async with``)
    ends it; the poll's wait ends at once.
    """

    def __init__(self, follow: Follow[Any]) -> None:
        self._follow = follow

    def __aiter__(self) -> AsyncFollow[_R]:
        return self

    async def __anext__(self) -> _R:
        try:
            rec = await _off_loop(next, self._follow, _END)
        except asyncio.CancelledError:
            self._follow.stop()
            raise
        if rec is _END:
            raise StopAsyncIteration
        return rec  # type: ignore[no-any-return]

    def stop(self) -> None:
        """End the follow (the iteration then stops)."""
        self._follow.stop()

    def close(self) -> None:
        """``stop()``."""
        self._follow.stop()

    @property
    def stopped(self) -> bool:
        """Whether ``stop()`` was called."""
        return self._follow.stopped


_END: Any = object()


class AsyncCallLogsWithText(_Closing):
    """``(CallSummary, CallLog)`` pairs in listing order, as an async iterator.

    The listing of calls is made when the first pair is awaited (off the event loop,
    like every log fetch); ``total`` is the number of calls from then on. Cancelling
    an ``await`` on it closes it (the log fetches under way finish and are dropped,
    no other starts).
    """

    def __init__(self, start: Callable[[], CallLogsWithText]) -> None:
        self._start: Callable[[], CallLogsWithText] | None = start
        self._pairs: CallLogsWithText | None = None
        self._closed = False

    def __aiter__(self) -> AsyncCallLogsWithText:
        return self

    def _next(self) -> Any:
        if self._pairs is None:
            if self._start is None or self._closed:
                return _END
            self._pairs, self._start = self._start(), None
        return next(self._pairs, _END)

    async def __anext__(self) -> tuple[CallSummary, CallLog | PlumError]:
        try:
            pair = await _off_loop(self._next)
        except asyncio.CancelledError:
            self.close()
            raise
        if pair is _END:
            raise StopAsyncIteration
        return pair  # type: ignore[no-any-return]

    @property
    def total(self) -> int | None:
        """How many calls the listing holds, once the first pair was awaited."""
        return None if self._pairs is None else len(self._pairs)

    def close(self) -> None:
        """Stop fetching logs: the iteration then ends."""
        self._closed = True
        if self._pairs is not None:
            self._pairs.close()


class AsyncClient(_Closing):
    """A client of the Plum Call Log API for asyncio: ``Client``'s arguments and
    methods, with listings as async iterators and ``await client.call_log(id)``.

    ``async with plumlogs.AsyncClient(...) as client:`` closes, on exit, every
    listing and follow it made that is still running.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._wrap(Client(*args, **kwargs))

    def _wrap(self, client: Client) -> None:
        self._client = client
        # Weak: a listing read to its end and dropped is not kept alive for close().
        self._open: weakref.WeakSet[Any] = weakref.WeakSet()

    @classmethod
    def from_profile(cls, name: str | None = None, **kwargs: Any) -> AsyncClient:
        """``Client.from_profile(name, **kwargs)``, for asyncio."""
        obj = cls.__new__(cls)
        obj._wrap(Client.from_profile(name, **kwargs))
        return obj

    @property
    def sync(self) -> Client:
        """The blocking ``Client`` underneath (same connection pool)."""
        return self._client

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._client.base_url

    @property
    def username(self) -> str:
        """The username sent (never the password)."""
        return self._client.username

    @property
    def format(self) -> str:
        """``"json"`` or ``"xml"``: the wire format asked for."""
        return self._client.format

    def _track(self, obj: _T) -> _T:
        self._open.add(obj)
        return obj

    def sessions(self, start: Any, end: Any = None, **kwargs: Any) -> AsyncListing[SessionRecord]:
        """``Client.sessions`` as an async iterator (the arguments are checked now)."""
        return self._track(AsyncListing(self._client.sessions(start, end, **kwargs)))

    def errors(self, start: Any, end: Any = None, **kwargs: Any) -> AsyncListing[ErrorRecord]:
        """``Client.errors`` as an async iterator."""
        return self._track(AsyncListing(self._client.errors(start, end, **kwargs)))

    def call_logs(self, start: Any, end: Any = None, **kwargs: Any) -> AsyncListing[CallSummary]:
        """``Client.call_logs`` as an async iterator."""
        return self._track(AsyncListing(self._client.call_logs(start, end, **kwargs)))

    def call_logs_with_text(
        self, start: Any, end: Any = None, **kwargs: Any
    ) -> AsyncCallLogsWithText:
        """``Client.call_logs_with_text`` as an async iterator of pairs (the calls
        are listed when the first pair is awaited)."""
        client = self._client
        pairs = AsyncCallLogsWithText(lambda: client.call_logs_with_text(start, end, **kwargs))
        return self._track(pairs)

    async def call_log(self, log_id: int) -> CallLog:
        """The detailed log of one call, fetched off the event loop."""
        return await _off_loop(self._client.call_log, log_id)

    def follow_sessions(self, **kwargs: Any) -> AsyncFollow[SessionRecord]:
        """``Client.follow_sessions`` as an async iterator."""
        return self._track(AsyncFollow(self._client.follow_sessions(**kwargs)))

    def follow_errors(self, **kwargs: Any) -> AsyncFollow[ErrorRecord]:
        """``Client.follow_errors`` as an async iterator."""
        return self._track(AsyncFollow(self._client.follow_errors(**kwargs)))

    def close(self) -> None:
        """Close every listing and stop every follow this client made."""
        for obj in list(self._open):
            obj.close()
        self._open.clear()

    def __repr__(self) -> str:
        return "Async" + repr(self._client)
