"""``plumlogs.sync`` against the emulator: the dataset, the report, the GIL released,
arguments checked, a failing table reported with the others written; and the
dataset read back with pyarrow, polars and duckdb (each skipped if not installed)."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import plumlogs

DAY = 86_400
TABLES = ["sessions", "errors", "calls", "call_log_entries"]


@pytest.fixture(scope="module")
def fixed() -> Iterator[plumlogs.Emulator]:
    # The emulator's clock fixed at the start: the listings below see exactly the
    # calls the sync saw, however long the tests take.
    with plumlogs.Emulator(seed=11, calls_per_day=40, clock=int(time.time())) as e:
        yield e


def client_of(emu: plumlogs.Emulator) -> plumlogs.Client:
    return plumlogs.Client(emu.username, emu.password, base_url=emu.base_url, max_retries=1)


def sessions_per_day(client: plumlogs.Client, emu: plumlogs.Emulator) -> dict[str, int]:
    """Session lines per UTC day since `first_day`, by the API's own day windows (a day
    holds the calls that started in it; a tag line may be stamped after midnight),
    days without lines left out: the partitions a sync writes, and their rows."""
    out = {}
    day = first_day(emu)
    while day < emu.now():
        n = len(client.sessions(day, min(day + DAY, emu.now())).collect())
        if n:
            out[
                datetime.datetime.fromtimestamp(day, datetime.timezone.utc).strftime("%Y-%m-%d")
            ] = n
        day += DAY
    return out


def first_day(emu: plumlogs.Emulator) -> int:
    """The start of yesterday (UTC): the range a sync `since` a day ago covers."""
    return (emu.now() - DAY) // DAY * DAY


@pytest.fixture(scope="module")
def dataset(fixed: plumlogs.Emulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    report = plumlogs.sync(root, client_of(fixed), since=fixed.now() - DAY, concurrency=4)
    assert isinstance(report, plumlogs.SyncReport)
    return root


def test_sync_writes_every_table_and_reports_it(fixed: plumlogs.Emulator, tmp_path: Path) -> None:
    client = client_of(fixed)
    report = plumlogs.sync(tmp_path, client, since=fixed.now() - DAY, concurrency=4)
    # Yesterday and today, for each of the four tables.
    assert report.days_written == 8
    assert report.failures == []
    assert report.gaps == []
    assert report.requests > 0
    assert report.bytes > 0
    for table in TABLES:
        parts = sorted(p.parent.name for p in (tmp_path / table).glob("date=*/part-0.parquet"))
        assert len(parts) == 2, table
    assert (tmp_path / "_plumlogs_sync.json").is_file()
    end = fixed.now()
    listed = (
        len(list(client.sessions(first_day(fixed), end)))
        + len(list(client.errors(first_day(fixed), end)))
        + len(list(client.call_logs(first_day(fixed), end)))
    )
    # Rows: every listed record, plus the call-log entries.
    assert report.records > listed
    # Again: the sealed days are skipped (yesterday, once 6 h past its end).
    again = plumlogs.sync(tmp_path, client, since=fixed.now() - DAY, concurrency=4)
    sealed = fixed.now() >= (fixed.now() // DAY) * DAY + 6 * 3600
    assert again.days_already_sealed == (4 if sealed else 0)
    assert again.days_written == 8 - again.days_already_sealed


def test_sync_releases_the_gil(fixed: plumlogs.Emulator, tmp_path: Path) -> None:
    fixed.clear_faults()
    # Two slow answers, one after the other: the run takes at least 0.6 s.
    fixed.inject_slow(300, count=2)
    done = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            plumlogs.sync(
                tmp_path,
                client_of(fixed),
                tables=["sessions"],
                since=fixed.now() - DAY,
                concurrency=1,
            )
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            errors.append(e)
        finally:
            done.set()

    t = threading.Thread(target=run)
    t.start()
    ticks = 0
    deadline = time.monotonic() + 60
    while not done.is_set() and time.monotonic() < deadline:
        ticks += 1
        time.sleep(0.001)
    t.join(timeout=60)
    fixed.clear_faults()
    assert errors == []
    # With the GIL held for the run, this thread could not have ticked at all.
    assert ticks > 50, ticks


def test_a_second_sync_on_the_directory_is_refused(
    fixed: plumlogs.Emulator, tmp_path: Path
) -> None:
    fixed.clear_faults()
    fixed.clear_requests()
    fixed.inject_slow(300, count=4)
    first = threading.Thread(
        target=plumlogs.sync, args=(tmp_path, client_of(fixed)), kwargs={"tables": ["errors"]}
    )
    first.start()
    for _ in range(500):
        if fixed.requests():
            break
        time.sleep(0.01)
    with pytest.raises(BlockingIOError, match="another plumlogs sync is running"):
        plumlogs.sync(tmp_path, client_of(fixed), tables=["errors"])
    first.join(timeout=60)
    fixed.clear_faults()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tables": ["nope"]}, "tables"),
        ({"tables": []}, "tables"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": 10**30}, "concurrency"),
        ({"seal_lag_seconds": -1}, "seal_lag_seconds"),
        ({"seal_lag_seconds": 10**30}, "seal_lag_seconds"),
        ({"log_settle_seconds": -1}, "log_settle_seconds"),
        ({"log_settle_seconds": 10**30}, "log_settle_seconds"),
        ({"log_settle_seconds": 1.5}, "log_settle_seconds"),
    ],
)
def test_arguments_are_checked_naming_them(
    fixed: plumlogs.Emulator, tmp_path: Path, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(plumlogs.InvalidArgument) as info:
        plumlogs.sync(tmp_path, client_of(fixed), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_a_settle_time_beyond_the_seal_lag_is_refused_naming_both(
    fixed: plumlogs.Emulator, tmp_path: Path
) -> None:
    fixed.clear_requests()
    with pytest.raises(plumlogs.InvalidArgument, match=r"seal_lag_seconds \(600\)") as info:
        plumlogs.sync(tmp_path, client_of(fixed), seal_lag_seconds=600, log_settle_seconds=601)
    assert info.value.field == "log_settle_seconds"
    assert not fixed.requests()
    # Without a settle time, a seal lag shorter than its default is accepted.
    report = plumlogs.sync(
        tmp_path, client_of(fixed), tables=["calls"], since=fixed.now(), seal_lag_seconds=0
    )
    assert report.days_written == 1


def test_a_failing_table_is_reported_with_the_others_written(
    fixed: plumlogs.Emulator, tmp_path: Path
) -> None:
    fixed.clear_faults()
    fixed.inject_status(500, count=1000, path_prefix="/ws/calls/errors/")
    try:
        with pytest.raises(plumlogs.SyncError, match="failed") as info:
            plumlogs.sync(
                tmp_path, client_of(fixed), tables=["sessions", "errors"], since=fixed.now() - DAY
            )
    finally:
        fixed.clear_faults()
    report = info.value.report
    assert {f.tables[0] for f in report.failures} == {"errors"}
    assert len(report.failures) == 2
    assert "500" in report.failures[0].error
    assert report.days_written == 2
    assert not (tmp_path / "errors").exists() or not list((tmp_path / "errors").glob("*/*"))
    # The next run fetches the failed days.
    again = plumlogs.sync(
        tmp_path, client_of(fixed), tables=["sessions", "errors"], since=fixed.now() - DAY
    )
    assert again.failures == []
    assert len(list((tmp_path / "errors").glob("date=*/part-0.parquet"))) == 2


# ---- read back: pyarrow, polars, duckdb -------------------------------------------


def test_pyarrow_reads_the_dataset_with_hive_partitions(
    fixed: plumlogs.Emulator, dataset: Path
) -> None:
    pa = pytest.importorskip("pyarrow")
    ds = pytest.importorskip("pyarrow.dataset")
    client = client_of(fixed)
    listed = list(client.sessions(first_day(fixed), fixed.now()))
    table = ds.dataset(dataset / "sessions", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(listed)
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("duration").type == pa.uint64()
    assert table.schema.field("duration").nullable
    # One partition per UTC day with calls (just after midnight, today has none yet).
    assert {str(d) for d in table.column("date").unique().to_pylist()} == set(
        sessions_per_day(client, fixed)
    )
    # The same records: instants, offsets, nullable integers and texts, row for row.
    rows = table.to_pylist()

    def nz(v: object) -> object:
        return -1 if v is None else v

    got = sorted(
        (
            r["session_id"],
            r["kind"],
            r["timestamp"].timestamp(),
            r["utc_offset_minutes"],
            nz(r["duration"]),
            nz(r["call_start"] and r["call_start"].timestamp()),
            r["label"] or "",
            r["message"] or "",
        )
        for r in rows
    )
    want = sorted(
        (
            rec.session_id,
            rec.kind,
            rec.timestamp.timestamp(),
            rec.timestamp.utcoffset() // datetime.timedelta(minutes=1),
            nz(rec.duration),
            nz(rec.call_start),
            rec.label or "",
            rec.message or "",
        )
        for rec in listed
    )
    assert got == want
    # A tag line has no call columns: nulls, not zeros.
    assert any(r["duration"] is None for r in rows)
    assert any(r["duration"] is not None for r in rows)


def test_polars_scans_the_dataset(fixed: plumlogs.Emulator, dataset: Path) -> None:
    pl = pytest.importorskip("polars")
    client = client_of(fixed)
    listed = list(client.errors(first_day(fixed), fixed.now()))
    frame = pl.scan_parquet(f"{dataset}/errors/*/*.parquet", hive_partitioning=True).collect()
    assert frame.height == len(listed)
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert frame.schema["channel"] == pl.UInt32
    assert sorted(frame["session_id"].to_list()) == sorted(r.session_id for r in listed)
    assert sorted(frame["message"].to_list()) == sorted(r.message for r in listed)
    assert frame["parse_error"].null_count() == frame.height
    calls = pl.scan_parquet(f"{dataset}/calls/*/*.parquet", hive_partitioning=True).collect()
    summaries = list(client.call_logs(first_day(fixed), fixed.now()))
    assert calls.height == len(summaries)
    assert sorted(calls["log_id"].to_list()) == sorted(s.log_id for s in summaries)
    assert calls.schema["start"] == pl.Datetime("us", "UTC")


def test_duckdb_reads_the_dataset_with_hive_partitioning(
    fixed: plumlogs.Emulator, dataset: Path
) -> None:
    duckdb = pytest.importorskip("duckdb")
    client = client_of(fixed)
    summaries = list(client.call_logs(first_day(fixed), fixed.now()))
    con = duckdb.connect()
    (n,) = con.execute(
        f"SELECT count(*) FROM read_parquet('{dataset}/calls/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchone()
    assert n == len(summaries)
    per_day = dict(
        con.execute(
            f"SELECT CAST(date AS VARCHAR), count(*) FROM read_parquet("
            f"'{dataset}/sessions/*/*.parquet', hive_partitioning = true) GROUP BY 1"
        ).fetchall()
    )
    sessions = list(client.sessions(first_day(fixed), fixed.now()))
    assert sum(per_day.values()) == len(sessions)
    assert per_day == sessions_per_day(client, fixed)
    # Entries join their call by log_id; one call's entries are its log, in order.
    first = summaries[0]
    log = client.call_log(first.log_id)
    messages = [
        m
        for (m,) in con.execute(
            f"SELECT message FROM read_parquet('{dataset}/call_log_entries/*/*.parquet', "
            "hive_partitioning = true) WHERE log_id = ? ORDER BY entry",
            [first.log_id],
        ).fetchall()
    ]
    assert messages == [e.message for e in log.entries]
    kinds = dict(
        con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet("
            f"'{dataset}/sessions/*/*.parquet', hive_partitioning = true))"
        ).fetchall()
    )
    assert kinds["timestamp"] == "TIMESTAMP WITH TIME ZONE"
    assert kinds["duration"] == "UBIGINT"
