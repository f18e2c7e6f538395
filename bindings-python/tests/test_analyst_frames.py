"""Analyst frames: nullable integers, session-id parts, local time, call or tag lines
alone, time zones, and the joins by session id, in pandas and polars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import plumlogs
from conftest import CALL_LOG, ERROR_LINE, LOCAL_LINE, SESSION_LINE, make_client
from plumlogs import _frames

DAY = 86400
SESSIONS = "\n".join([SESSION_LINE, LOCAL_LINE, SESSION_LINE.replace("-0500", "+0130")] * 3)
DERIVED = ["local_timestamp", "session_server", "session_channel", "session_start"]


def names(record_type: str, **kw: object) -> list[str]:
    return [c["name"] for c in _frames.frame_schema(record_type, **kw)]  # type: ignore[arg-type]


def test_the_frame_form_is_cores_columnar_form_plus_parts_and_local_time() -> None:
    plain = names("SessionRecord", derived=False)
    framed = names("SessionRecord")
    assert [n for n in framed if n not in plain] == DERIVED
    assert [n for n in framed if n in plain] == plain  # nothing reordered or lost
    assert framed.index("local_timestamp") == framed.index("utc_offset_minutes") + 1
    assert framed.index("session_server") == framed.index("session_id") + 1
    # Entries have their wall clock already; summaries have no offset to apply.
    assert [n for n in names("CallLogEntry") if n not in names("CallLogEntry", derived=False)] == [
        "session_server",
        "session_channel",
        "session_start",
    ]
    calls = names("SessionRecord", lines="calls")
    tags = names("SessionRecord", lines="tags")
    assert "label" not in calls
    assert "message" not in calls
    assert "duration" in calls
    assert "duration" not in tags
    assert "call_start" not in tags
    assert "label" in tags
    for bad in ("calls", "tags"):
        with pytest.raises(plumlogs.InvalidArgument) as e:
            _frames.frame_schema("ErrorRecord", lines=bad)
        assert e.value.field == "lines"


def test_pandas_integers_are_nullable_not_float() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    df = records.to_pandas()
    assert list(df.columns) == names("SessionRecord")
    for col in ("duration", "channel", "utc_offset_minutes", "session_channel"):
        assert df[col].dtype == pd.Int64Dtype(), col
    # A `local` line has no duration: <NA>, and the column stays integers.
    assert df["duration"].isna().tolist() == [r.duration is None for r in records]
    assert df["duration"].dropna().tolist() == [r.duration for r in records if r.duration]
    assert int(df["duration"].sum()) == sum(r.duration or 0 for r in records)
    assert str(df["timestamp"].dt.tz) == "UTC"
    # The plain columnar form is still there for who wants it.
    assert list(records.to_pandas(derived=False).columns) == names("SessionRecord", derived=False)


def test_session_id_parts_and_local_time_are_cores() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    df = records.to_pandas()
    for rec, (_, row) in zip(records, df.iterrows()):
        parts = plumlogs.split_session_id(rec.session_id)
        assert parts is not None
        assert row["session_server"] == parts.server
        assert row["session_channel"] == parts.channel
        assert row["session_start"] == pd.Timestamp(parts.start, unit="s", tz="UTC")
        # The wall clock as the line wrote it, whatever its offset.
        assert row["local_timestamp"] == pd.Timestamp(rec.timestamp.replace(tzinfo=None))
    assert df["session_server"].tolist()[0] == "200035"  # leading zeros kept as text
    # "+0130" lines: the local hour is not the UTC hour.
    assert df["local_timestamp"].dt.hour.tolist()[2] == 14
    assert df["timestamp"].dt.hour.tolist()[2] == 13
    errs = plumlogs.parse_errors(ERROR_LINE).to_pandas()
    assert errs["local_timestamp"].tolist() == [pd.Timestamp("2017-01-09T08:33:31")]
    assert errs["session_start"].tolist() == [pd.Timestamp(1483968637, unit="s", tz="UTC")]
    entries = plumlogs.parse_call_log(CALL_LOG).to_pandas()
    assert list(entries.columns) == names("CallLogEntry")
    assert entries["timestamp"].isna().tolist() == [False, False, True]  # unknown zone
    assert entries["session_channel"].tolist() == [6, 6, 6]


def test_calls_alone_and_tags_alone() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    calls = records.to_pandas(lines="calls")
    tags = records.to_pandas(lines="tags")
    assert list(calls.columns) == names("SessionRecord", lines="calls")
    assert list(tags.columns) == names("SessionRecord", lines="tags")
    assert calls["kind"].tolist() == [r.kind for r in records if r.kind != "local"]
    assert tags["kind"].tolist() == ["local"] * 3
    assert len(calls) + len(tags) == len(records)
    assert calls["duration"].dtype == pd.Int64Dtype()
    assert not calls["duration"].isna().any()
    assert tags["message"].tolist() == [r.message for r in records if r.kind == "local"]
    # The same through Arrow and polars.
    assert records.to_arrow(lines="calls").num_rows == 6
    with pytest.raises(plumlogs.InvalidArgument) as e:
        plumlogs.parse_errors(ERROR_LINE).to_pandas(lines="calls")
    assert e.value.field == "lines"
    assert "ErrorRecord" in str(e.value)
    with pytest.raises(plumlogs.InvalidArgument, match="calls"):
        records.to_pandas(lines="call")


def test_a_zone_for_the_instants() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    utc = records.to_pandas()
    ny = records.to_pandas(tz="America/New_York")
    for col in ("timestamp", "call_start", "call_end", "session_start"):
        assert str(ny[col].dt.tz) == "America/New_York", col
        assert ny[col].equals(utc[col].dt.tz_convert("America/New_York")), col
    # 14:38 -0500 on 3 Nov 2017: New York kept daylight time (-0400) until the 5th.
    assert ny["timestamp"].dt.hour.tolist()[0] == 15
    chicago = records.to_pandas(tz="America/Chicago")  # -0500 that day
    assert chicago["timestamp"].dt.hour.tolist()[0] == 14
    assert ny["local_timestamp"].equals(utc["local_timestamp"])  # the line's own clock
    arrow = records.to_arrow(tz="Europe/Berlin")
    assert str(arrow.schema.field("timestamp").type) == "timestamp[s, tz=Europe/Berlin]"
    assert arrow.column("timestamp").to_pylist()[0] == records[0].timestamp
    with pytest.raises(plumlogs.InvalidArgument) as e:
        records.to_polars(tz="Mars/Olympus")
    assert e.value.field == "tz"
    assert str(e.value).startswith("invalid argument tz: no time zone called 'Mars/Olympus'")
    with pytest.raises(TypeError, match="tz"):
        records.to_pandas(tz=5)  # type: ignore[arg-type]
    assert pd.isna(ny["call_start"].iloc[1])


def test_polars_frames() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    df = records.to_polars()
    assert df.columns == names("SessionRecord")
    assert df["duration"].null_count() == 3
    assert df["duration"].dtype.is_integer()
    assert df["session_server"].to_list() == ["200035"] * 9
    assert df["local_timestamp"].to_list() == [r.timestamp.replace(tzinfo=None) for r in records]
    calls = records.to_polars(lines="calls")
    assert calls.columns == names("SessionRecord", lines="calls")
    assert calls.height == 6
    ny = records.to_polars(tz="America/New_York")
    assert ny.schema["timestamp"] == pl.Datetime("ms", "America/New_York")
    assert ny["timestamp"].to_list() == df["timestamp"].to_list()  # the same instants
    assert records.to_polars(derived=False).columns == names("SessionRecord", derived=False)


def test_big_lists_derive_columns_in_every_batch() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    lines = [
        SESSION_LINE.replace(";003;", f";{i % 1000:03};") if i % 3 else LOCAL_LINE
        for i in range(70_000)
    ]
    records = plumlogs.parse_sessions("\n".join(lines))
    t = records.to_arrow(derived=True)
    assert len(t.to_batches()) >= 2
    assert t.column("session_channel").to_pylist() == [
        int(r.session_id.split(";")[1]) for r in records
    ]
    calls = records.to_arrow(derived=True, lines="calls")
    assert calls.num_rows == sum(1 for i in range(70_000) if i % 3)
    assert calls.column("duration").null_count == 0
    empty = plumlogs.parse_sessions("").to_arrow(derived=True)
    assert empty.num_rows == 0
    assert empty.schema.names == names("SessionRecord")
    assert empty.schema.field("session_start").type == pa.timestamp("s", tz="UTC")


def test_derived_columns_of_a_parallel_parse_are_cores() -> None:
    # Over 4 MiB: the parse is cut into chunks (parts), whose derived columns are made
    # on several threads; servers longer than 12 bytes are views into the input.
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    lines = []
    for i in range(45_000):
        server = f"{i % 97:06}" if i % 2 else f"dialer-host-{i % 89:08}.example"
        offset = ["-0500", "+0130", "+0000", "-1200"][i % 4]
        line = SESSION_LINE if i % 5 else LOCAL_LINE
        lines.append(
            line.replace("200035;003;", f"{server};{i % 1000:03};")
            .replace("-0500", offset)
            .replace(":14:38:", f":{i % 24:02}:38:")
        )
    text = "\n".join(lines)
    assert len(text) > 4 << 20
    records = plumlogs.parse_sessions(text)
    for lines_arg in (None, "calls"):
        t = records.to_arrow(derived=True, lines=lines_arg)
        kept = [r for r in records if lines_arg is None or r.kind != "local"]
        assert t.num_rows == len(kept)
        parts = [plumlogs.split_session_id(r.session_id) for r in kept]
        assert t.column("session_server").to_pylist() == [p.server for p in parts if p]
        assert t.column("session_channel").to_pylist() == [p.channel for p in parts if p]
        utc = dt.timezone.utc
        start = [dt.datetime.fromtimestamp(p.start, utc) for p in parts if p]
        assert t.column("session_start").to_pylist() == start
        local = [r.timestamp.replace(tzinfo=None) for r in kept]
        assert t.column("local_timestamp").to_pylist() == local
        assert t.column("session_server").null_count == 0
        assert t.schema.field("local_timestamp").type == pa.timestamp("s")


@pytest.fixture(scope="module")
def week(emu: plumlogs.Emulator) -> Iterator[tuple[plumlogs.Client, int, int]]:
    # One frozen clock for every listing: a call ending between two listings would
    # have its error in one and not its session line in the other.
    now = emu.now()
    emu.set_clock(now)
    try:
        yield make_client(emu), now - 2 * DAY, now
    finally:
        emu.set_clock(None)


def test_joins_by_session_id_pandas(week: tuple[plumlogs.Client, int, int]) -> None:
    pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    client, start, end = week
    calls = client.sessions(start, end).to_pandas(lines="calls")
    assert calls["session_id"].is_unique  # one row per call: joins do not double rows
    errors = client.errors(start, end).to_pandas()
    assert len(errors) > 0
    joined = errors.merge(
        calls, on="session_id", how="left", suffixes=("", "_call"), validate="many_to_one"
    )
    assert len(joined) == len(errors)
    assert joined["kind"].notna().all()  # every error belongs to a call of the window
    assert (joined["timestamp"] >= joined["call_start"]).all()
    summaries = client.call_logs(start, end).to_pandas()
    with_calls = summaries.merge(calls, on="session_id", how="inner", validate="one_to_one")
    assert len(with_calls) == len(summaries)
    assert (with_calls["type"] == with_calls["kind"]).all()


def test_joins_by_session_id_polars(week: tuple[plumlogs.Client, int, int]) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    client, start, end = week
    calls = client.sessions(start, end).to_polars(lines="calls")
    assert calls["session_id"].is_unique().all()
    errors = client.errors(start, end).to_polars()
    joined = errors.join(calls, on="session_id", how="left", suffix="_call", validate="m:1")
    assert joined.height == errors.height
    assert joined["kind"].null_count() == 0
    per_hour = calls.group_by(pl.col("local_timestamp").dt.hour().alias("hour")).len().sort("hour")
    assert per_hour["len"].sum() == calls.height
    summaries = client.call_logs(start, end, limit=3).collect()
    entries = client.call_log(summaries[0].log_id).entries.to_polars()
    assert set(entries["session_id"].to_list()) == {summaries[0].session_id}
    assert entries["session_start"].dt.epoch("s").to_list()[0] == int(
        summaries[0].session_id.split(";")[2]
    )


def test_listing_frames_take_the_options(week: tuple[plumlogs.Client, int, int]) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    client, start, end = week
    t = client.sessions(start, end).to_arrow(derived=True, lines="tags", tz="UTC")
    assert t.schema.names == names("SessionRecord", lines="tags")
    assert set(t.column("kind").to_pylist()) == {"local"}
    assert t.schema.field("timestamp").type.tz == "UTC"
    assert isinstance(t.column("local_timestamp").to_pylist()[0], dt.datetime)
