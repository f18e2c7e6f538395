"""The client against the emulator: paging, both wire formats, filters, logs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs

import pytest

import plumlogs
from conftest import make_client

DAY = 86400


def window(emu: plumlogs.Emulator, seconds: int = DAY) -> tuple[int, int]:
    return emu.now() - seconds, emu.now()


def test_sessions_page_by_themselves(fresh_emu: plumlogs.Emulator) -> None:
    start, end = window(fresh_emu)
    client = make_client(fresh_emu)
    everything = client.sessions(start, end).collect()
    assert len(everything) > 250  # a day of 300 calls, each with its local lines
    fresh_emu.clear_requests()
    paged = list(client.sessions(start, end, page_size=97))
    assert [r.to_dict() for r in paged] == everything.to_dicts()
    offsets = [int(parse_qs(r["query"])["offset"][0]) for r in fresh_emu.requests()]
    assert offsets == list(range(0, len(everything) + 1, 97))[: len(offsets)]
    assert len(offsets) == len(everything) // 97 + 1
    assert all(parse_qs(r["query"])["limit"] == ["97"] for r in fresh_emu.requests())


def test_limit_caps_the_total(fresh_emu: plumlogs.Emulator) -> None:
    client = make_client(fresh_emu)
    start, end = window(fresh_emu, 5 * DAY)  # error lines are sparse: a few days hold dozens
    # One serial walk (`concurrency=1`): sub-windows would each ask for a page.
    got = list(client.errors(start, end, limit=7, page_size=5, concurrency=1))
    assert len(got) == 7
    asked = [parse_qs(r["query"])["limit"][0] for r in fresh_emu.requests()]
    assert asked == ["5", "2"]  # the last request asks only for what is still wanted


@pytest.mark.parametrize("service", ["sessions", "errors", "call_logs"])
def test_json_and_xml_agree(fresh_emu: plumlogs.Emulator, service: str) -> None:
    start, end = window(fresh_emu)
    as_json = getattr(make_client(fresh_emu, format="json"), service)(start, end).collect()
    as_xml = getattr(make_client(fresh_emu, format="xml"), service)(start, end).collect()
    assert len(as_json) > 0
    assert as_json == as_xml
    accepts = {r["headers"]["accept"] for r in fresh_emu.requests()}
    assert accepts == {"application/json", "application/xml"}


def test_datetime_bounds_equal_unix_seconds(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    start, end = window(fresh_emu, 6 * 3600)
    utc = dt.timezone.utc
    eastern = dt.timezone(dt.timedelta(hours=-5))
    by_int = client.sessions(start, end).collect()
    by_dt = client.sessions(
        dt.datetime.fromtimestamp(start, utc), dt.datetime.fromtimestamp(end, eastern)
    ).collect()
    assert by_int == by_dt


def test_number_filter(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    start, end = window(fresh_emu)
    calls = client.call_logs(start, end).collect()
    number = calls[0].dest
    filtered = client.call_logs(start, end, number=number).collect()
    assert 0 < len(filtered) <= len(calls)
    assert all(number in (c.dest, c.src) for c in filtered)
    assert all("number=" in r["query"] for r in fresh_emu.requests()[-1:])


def test_call_log_and_its_entries(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    summary = client.call_logs(*window(fresh_emu), limit=1).collect()[0]
    assert isinstance(summary, plumlogs.CallSummary)
    log = client.call_log(summary.log_id)
    assert log.log_id == summary.log_id
    assert len(log) == len(log.entries) > 0
    assert log.entries == plumlogs.parse_call_log(log.text)  # the same grammar, the same records
    assert all(e.session_id == summary.session_id for e in log.entries)
    assert repr(log).startswith(f"CallLog(log_id={summary.log_id}, entries=")


def test_call_logs_with_text(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    start, end = window(fresh_emu)
    pairs = client.call_logs_with_text(start, end, limit=12, concurrency=4)
    assert len(pairs) == 12
    got = list(pairs)
    assert [s.log_id for s, _ in got] == [s.log_id for s in client.call_logs(start, end, limit=12)]
    for summary, log in got:
        assert isinstance(log, plumlogs.CallLog)
        assert log.log_id == summary.log_id


def test_call_logs_with_text_errors(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    start, end = window(fresh_emu)
    listing = client.call_logs(start, end, limit=3).collect()
    fresh_emu.inject_status(500, count=10, path_prefix=f"/ws/calls/log/{listing[1].log_id}")
    got = list(client.call_logs_with_text(start, end, limit=3, concurrency=2, on_error="return"))
    assert [type(x).__name__ for _, x in got] == ["CallLog", "ApiError", "CallLog"]
    assert got[1][1].http_status == 500  # type: ignore[union-attr]
    fresh_emu.clear_faults()
    fresh_emu.inject_status(500, count=10, path_prefix=f"/ws/calls/log/{listing[0].log_id}")
    with pytest.raises(plumlogs.ApiError):
        list(client.call_logs_with_text(start, end, limit=3, concurrency=2))


def test_credentials_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fresh_emu: plumlogs.Emulator
) -> None:
    monkeypatch.setenv("PLUM_USERNAME", fresh_emu.username)
    monkeypatch.setenv("PLUM_PASSWORD", fresh_emu.password)
    monkeypatch.setenv("PLUM_BASE_URL", fresh_emu.base_url)
    client = plumlogs.Client()
    assert client.base_url == fresh_emu.base_url
    assert client.username == fresh_emu.username
    client.call_logs(*window(fresh_emu, 3600 * 4)).collect()
    assert fresh_emu.requests()[-1]["username"] == fresh_emu.username
    assert "password" not in repr(client)
    assert fresh_emu.password not in repr(client)


def test_listing_to_dataframes(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    start, end = window(fresh_emu)
    listing = client.call_logs(start, end, page_size=50)
    first = next(listing)
    table = listing.to_arrow()  # the rest of the listing
    everything = client.call_logs(start, end).collect()
    assert table.num_rows == len(everything) - 1
    assert table.column("log_id").to_pylist() == [c.log_id for c in everything[1:]]
    assert first == everything[0]
    assert table.schema.field("start").type == pa.timestamp("s", tz="UTC")
    assert listing.collect() == everything  # finished: read again, from the server
    # Pages are joined into one set of columns: one batch, not one per page.
    assert len(everything) > 100
    assert table.num_rows < 64 * 1024
    assert len(table.to_batches()) == 1
    sessions = client.sessions(start, end, page_size=100).collect()
    assert sessions.to_arrow().column("message").to_pylist() == [r.message for r in sessions]


def test_progress_bar(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tqdm", reason="tqdm is not installed")
    got = list(client.sessions(*window(fresh_emu, 6 * 3600), page_size=100, progress=True))
    err = capsys.readouterr().err
    assert "sessions" in err
    assert f"{len(got)}" in err


def test_progress_without_tqdm_warns(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.warns(UserWarning, match="tqdm"):
        listing = client.errors(*window(fresh_emu, 3600), progress=True)
    assert isinstance(list(listing), list)


def test_emulator_controls(fresh_emu: plumlogs.Emulator) -> None:
    fresh_emu.inject({"kind": "status", "status": 503, "retry_after": 0, "count": 2})
    fresh_emu.inject_slow(1, path_prefix="/ws/calls/errors")
    faults: list[dict[str, Any]] = fresh_emu.faults()
    assert [f["kind"] for f in faults] == ["status", "slow"]
    assert faults[0]["count"] == 2
    fresh_emu.clear_faults()
    assert fresh_emu.faults() == []
    with pytest.raises(plumlogs.InvalidArgument):
        fresh_emu.inject({"kind": "nonsense"})


def test_emulator_clock_and_lifecycle() -> None:
    fixed = int(dt.datetime.now(dt.timezone.utc).timestamp()) - 3600
    with plumlogs.Emulator(
        seed=3, calls_per_day=50, clock=fixed, username="me", password="pw"
    ) as emu:
        assert emu.now() == fixed
        assert emu.running
        assert (emu.username, emu.password) == ("me", "pw")
        assert emu.base_url == f"http://127.0.0.1:{emu.port}"
        emu.set_clock(dt.datetime.fromtimestamp(fixed + 60, dt.timezone.utc))
        assert emu.now() == fixed + 60
        a = (
            plumlogs.Client("me", "pw", base_url=emu.base_url)
            .sessions(fixed - DAY, fixed)
            .collect()
        )
    assert not emu.running
    with pytest.raises(RuntimeError, match="stopped"):
        emu.requests()
    # Same seed, same clock: the same data. The clock must be the one `a` was listed
    # at (fixed + 60): a call still in progress at the clock is not listed yet, so
    # listing at `fixed` could miss a call that ended in that minute.
    with plumlogs.Emulator(seed=3, calls_per_day=50, clock=fixed + 60) as again:
        b = (
            plumlogs.Client(again.username, again.password, base_url=again.base_url)
            .sessions(fixed - DAY, fixed)
            .collect()
        )
    assert a == b
    assert len(a) > 0
