"""``plumlogs.sync``: keep the account's logs in a Parquet dataset.

A thin wrapper of the Rust crate ``plumlogs-archive`` (the engine of ``plumlogs
sync``): the whole run happens in Rust with the GIL released; this module only
turns its report into Python objects.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import _native

__all__ = ["DayFailure", "DayRef", "SyncError", "SyncReport", "sync"]


@dataclass(frozen=True)
class DayRef:
    """One table's UTC day."""

    table: str
    """``sessions``, ``errors``, ``calls`` or ``call_log_entries``."""
    date: str
    """``YYYY-MM-DD``."""


@dataclass(frozen=True)
class DayFailure:
    """A day whose fetch or write failed; the next run fetches it again."""

    tables: list[str]
    """The tables the failed fetch was for."""
    date: str
    """``YYYY-MM-DD``."""
    error: str
    """What went wrong."""


@dataclass(frozen=True)
class SyncReport:
    """What one run of :func:`sync` did (the archive crate's ``SyncReport``)."""

    now: int
    """The clock (UNIX seconds) the run planned with."""
    days_written: int
    """Table files written (replaced or new)."""
    days_sealed: int
    """Of those, files whose day is now sealed (never fetched again)."""
    days_already_sealed: int
    """Days skipped because they were sealed before."""
    gaps: list[DayRef]
    """Days in range that left retention unsealed, oldest first (on every run)."""
    failures: list[DayFailure]
    """Days that failed this run."""
    records: int
    """Rows written."""
    bytes: int
    """Bytes written."""
    requests: int
    """Requests that returned a page or a log (retries not counted)."""
    warnings: list[str]
    """What the server said beside its data, prefixed with the day."""
    cleaned: int
    """Temporary files of an interrupted run that were removed."""
    seconds: float
    """Wall time of the run."""

    @staticmethod
    def _from_json(text: str) -> SyncReport:
        d: dict[str, Any] = json.loads(text)
        d["gaps"] = [DayRef(**g) for g in d["gaps"]]
        d["failures"] = [DayFailure(**f) for f in d["failures"]]
        return SyncReport(**d)


class SyncError(RuntimeError):
    """Some days failed (each with its error in ``report.failures``); the others were
    written, and the failed ones are fetched again next run."""

    report: SyncReport
    """The run's report, failures included."""

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message)
        self.report = report


def sync(
    dir: str | os.PathLike[str],
    client: _native.Client | None = None,
    *,
    tables: Sequence[str] | None = None,
    since: int | datetime.datetime | None = None,
    concurrency: int | None = None,
    seal_lag_seconds: int | None = None,
    log_settle_seconds: int | None = None,
) -> SyncReport:
    """Bring the Parquet dataset in ``dir`` (created if missing) up to date.

    The same run as ``plumlogs sync DIR``: every table (or ``tables``, a sequence of
    ``"sessions"``, ``"errors"``, ``"calls"``, ``"call_log_entries"``), from as far
    back as each service keeps (or ``since``: UNIX seconds or an aware datetime,
    clamped to retention), ``concurrency`` requests at most in flight (default 8),
    days sealed ``seal_lag_seconds`` after their end (default 6 hours), a call's
    log text taken as final once fetched ``log_settle_seconds`` after the call's end
    (default 900, or the seal lag if shorter; never more than it). ``client``
    defaults to ``Client()`` (credentials from ``PLUM_USERNAME``/``PLUM_PASSWORD``).

    Runs with the GIL released. Raises :class:`SyncError` (with the report) when
    some days failed, ``BlockingIOError`` when another sync holds ``dir``,
    ``OSError`` when a file cannot be written, and the usual ``PlumError`` classes
    for a bad argument or a client failure before anything was fetched.
    """
    if client is None:
        client = _native.Client()
    text, failed = _native._sync(
        os.fspath(dir),
        client,
        tables=None if tables is None else list(tables),
        since=since,
        concurrency=concurrency,
        seal_lag_seconds=seal_lag_seconds,
        log_settle_seconds=log_settle_seconds,
    )
    report = SyncReport._from_json(text)
    if failed is not None:
        raise SyncError(failed, report)
    return report
