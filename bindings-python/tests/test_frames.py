"""DataFrame round trips through the Arrow PyCapsule stream."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

import plumlogs
from conftest import CALL_LOG, ERROR_LINE, LOCAL_LINE, SESSION_LINE, vector

SESSIONS = "\n".join([SESSION_LINE, LOCAL_LINE, SESSION_LINE.replace("-0500", "+0130")] * 3)


def test_arrow_schema_and_values() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    table = records.to_arrow()
    assert isinstance(table, pa.Table)
    assert table.num_rows == len(records) == 9
    assert table.schema.field("timestamp").type == pa.timestamp("s", tz="UTC")
    assert table.schema.field("utc_offset_minutes").type == pa.int16()
    for name in ("kind", "ani", "dnis", "session_id", "label", "message"):
        assert table.schema.field(name).type == pa.string_view(), name
    rows = table.to_pylist()
    for rec, row in zip(records, rows):
        d = rec.to_dict()
        for name in (
            "kind",
            "ani",
            "channel",
            "dnis",
            "session_id",
            "duration",
            "label",
            "message",
        ):
            assert row[name] == d[name], name
        # the instant, in UTC, plus the line's own offset
        assert row["timestamp"] == rec.timestamp
        assert row["utc_offset_minutes"] == rec.timestamp.utcoffset() // dt.timedelta(minutes=1)
        if rec.call_start is not None:
            assert row["call_start"] == dt.datetime.fromtimestamp(rec.call_start, dt.timezone.utc)
        else:
            assert row["call_start"] is None
            assert row["call_end"] is None
    assert rows[2]["utc_offset_minutes"] == 90


def test_pyarrow_reads_the_capsule_directly() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_errors(vector("lines", "errors.txt").read_text())
    table = pa.table(records)
    assert table.column("message").to_pylist() == [r.message for r in records]
    # Big lists come in several batches (built lazily, or up front on several
    # threads past 128k rows): nothing is lost or reordered between them.
    for n in (70_000, 140_001):
        lines = [
            SESSION_LINE.replace(" 3 [", f" {i % 1000} [") if i % 3 else LOCAL_LINE
            for i in range(n)
        ]
        many = plumlogs.parse_sessions("\n".join(lines))
        t = pa.RecordBatchReader.from_stream(many).read_all()
        assert t.num_rows == n
        assert len(t.to_batches()) >= 2
        assert t.column("channel").to_pylist() == [r.channel for r in many]
        assert t.column("label").null_count == n - (n + 2) // 3


def test_tables_share_the_parsed_text_and_outlive_it() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    import gc

    # Long and short fields (views hold up to 12 bytes themselves), non-ASCII text
    # (read through the str's cached UTF-8), and more than one parse chunk.
    local = LOCAL_LINE.replace("billing", "facturación ünïcödé")
    text = "\n".join([SESSION_LINE, local] * 30_000)
    assert len(text.encode()) > 4 << 20
    records = plumlogs.parse_sessions(text)
    expected = {
        name: [getattr(r, name) for r in records]
        for name in ("kind", "ani", "session_id", "message")
    }
    table = records.to_arrow()
    del records, text
    gc.collect()
    for name, values in expected.items():
        assert table.column(name).to_pylist() == values, name
    assert (
        pa.table(table.slice(59_990)).column("message").to_pylist()[-1]
        == "caller pressed [1]: facturación ünïcödé"
    )


def test_text_of_every_length_survives_the_views() -> None:
    # A view holds up to 12 bytes itself and points into the text beyond that; a
    # field near the end of the text cannot be read 16 bytes at a time. Every
    # length around those edges, ASCII and not, read back through records and Arrow.
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    lines, expected = [], []
    for n in range(30):
        ani = "9" * (n + 1)
        dnis = ("d" * n + "é")[: n + 1]
        message = ("ü" * n)[:n]
        lines.append(f"local {ani} 1 [03/Nov/2017:14:38:31 -0500] {dnis} 1;2;3 l{n}: {message}")
        expected.append((ani, dnis, f"l{n}", message))
    for text in ("\n".join(lines), "\n".join(lines[::-1]), lines[-1], lines[0]):
        want = [e for line, e in zip(lines, expected) if line in text.split("\n")]
        want.sort(key=lambda e: text.index(f" {e[2]}: "))
        records = plumlogs.parse_sessions(text)
        got = [(r.ani, r.dnis, r.label, r.message) for r in records]
        assert got == want
        table = records.to_arrow()
        assert (
            list(zip(*(table.column(c).to_pylist() for c in ("ani", "dnis", "label", "message"))))
            == want
        )
        one = plumlogs.parse_session_line(text.split("\n")[-1].encode())
        assert (one.ani, one.dnis, one.label, one.message) == want[-1]


def test_slices_across_parts_and_built_text_convert() -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    lines = [SESSION_LINE.replace(" 3 [", f" {i % 97} [") for i in range(50_000)]
    many = plumlogs.parse_sessions("\n".join(lines))  # > 4 MB: several parts
    picked = many[49_990:5:-7919]
    assert picked.to_arrow().column("channel").to_pylist() == [r.channel for r in picked]
    # An item with escapes (`\/` in a URL) is unescaped into text of its own, not
    # borrowed from the body: its views point into a second buffer.
    url_line = LOCAL_LINE.replace(
        "menu: caller pressed [1]: billing", "fetchurl: https://ivr.example/vxml/start.php"
    )
    body = json.dumps(
        {
            "status": "success",
            "error": "",
            "result": {
                "total_sessions": "2",
                "sessions": [url_line.replace("/", "\\/"), SESSION_LINE.replace("/", "\\/")],
            },
        }
    ).replace("\\\\/", "\\/")
    assert "https:\\/\\/ivr" in body
    decoded = plumlogs.decode_response(body, "sessions")
    assert decoded[0].message == "https://ivr.example/vxml/start.php"
    table = decoded.to_arrow()
    for name in ("message", "session_id", "dnis"):
        assert table.column(name).to_pylist() == [getattr(r, name) for r in decoded], name


def test_a_requested_plain_string_schema_is_honoured() -> None:
    # Engines without string_view support ask for `string` through the protocol's
    # requested_schema; they get it (copied), every other column as it is.
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    ours = records.to_arrow().schema
    for text_type in (pa.string(), pa.large_string()):
        asked = pa.schema(
            [f.with_type(text_type) if f.type == pa.string_view() else f for f in ours]
        )
        table = pa.RecordBatchReader.from_stream(records, schema=asked).read_all()
        assert table.schema == asked
        assert table.column("message").to_pylist() == [r.message for r in records]
        assert table.column("channel").to_pylist() == [r.channel for r in records]
    # A request for some other change is left to the consumer, as the protocol allows.
    other = pa.schema([f.with_type(pa.int64()) if f.name == "channel" else f for f in ours])
    assert pa.RecordBatchReader.from_stream(records, schema=other).schema == ours
    with pytest.raises(TypeError, match="requested_schema"):
        records.__arrow_c_stream__("string please")


def test_lenient_result_converts_its_records() -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    res = plumlogs.parse_sessions(SESSIONS + "\nnot a line", strict=False)
    assert res.to_arrow().num_rows == 9
    assert len(res.problems) == 1


def test_call_log_entries_keep_unknown_zones() -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    rows = plumlogs.parse_call_log(CALL_LOG).to_arrow().to_pylist()
    assert rows[0]["timestamp"] == dt.datetime(2002, 8, 28, 14, 16, 58, tzinfo=dt.timezone.utc)
    assert rows[2]["timestamp"] is None
    assert rows[2]["utc_offset_minutes"] is None
    assert rows[2]["local_timestamp"] == dt.datetime(2002, 8, 28, 10, 17, 2)
    assert rows[1]["message"] == "first line\n  second line"


def test_pandas_round_trip() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    df = records.to_pandas()
    assert list(df.columns)[:4] == ["kind", "ani", "channel", "timestamp"]
    assert len(df) == 9
    assert str(df["timestamp"].dt.tz) == "UTC"
    assert df["timestamp"].iloc[0] == pd.Timestamp(records[0].timestamp)
    assert df["kind"].tolist() == [r.kind for r in records]
    assert df["label"].isna().tolist() == [r.label is None for r in records]


def test_polars_round_trip() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    records = plumlogs.parse_sessions(SESSIONS)
    df = records.to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.shape == (9, 16)  # the columnar form plus the analyst columns
    assert df["ani"].to_list() == [r.ani for r in records]
    assert df["timestamp"].to_list() == [r.timestamp for r in records]
    errs = plumlogs.parse_errors(ERROR_LINE).to_polars()
    assert errs["session_id"].to_list() == ["000020;000;1483968637"]
    # The DataFrame constructor itself reads the records through the Arrow stream.
    direct = pl.DataFrame(records)
    assert direct.shape == (9, 12)
    assert direct["ani"].to_list() == df["ani"].to_list()


def test_empty_results_keep_their_schema() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    table = plumlogs.parse_errors("\n\n").to_arrow()
    assert table.num_rows == 0
    assert table.schema.names == [
        "ani",
        "channel",
        "timestamp",
        "utc_offset_minutes",
        "dnis",
        "session_id",
        "message",
    ]
    assert pa.table(plumlogs.parse_call_log("")).num_rows == 0


@pytest.mark.parametrize(
    ("method", "module"),
    [("to_arrow", "pyarrow"), ("to_pandas", "pandas"), ("to_polars", "polars")],
)
def test_missing_library_is_a_clear_import_error(
    monkeypatch: pytest.MonkeyPatch, method: str, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    with pytest.raises(ImportError, match=f"needs the `{module}` package.*pip install"):
        getattr(plumlogs.parse_sessions(SESSION_LINE), method)()
