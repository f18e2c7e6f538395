"""Time arguments as the CLI takes them, read by the core's one parser: UNIX seconds
(int or float), ISO 8601, spans, datetime/date/timedelta, ``start=None``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

import plumlogs

HOUR = 3600
DAY = 86400
UTC = dt.timezone.utc


def window_of_last_request(emu: plumlogs.Emulator) -> tuple[int, int]:
    """``(start, end)`` of the path ``/ws/calls/{service}/{start}/{end}``."""
    path = emu.requests()[-1]["path"]
    *_, start, end = path.split("/")
    return int(start), int(end)


def listed(
    client: plumlogs.Client, emu: plumlogs.Emulator, start: Any, end: Any = None
) -> tuple[int, int, int, int]:
    """The window the client asked for, and the clock before and after."""
    emu.clear_requests()
    before = int(time.time())
    client.errors(start, end, limit=1).collect()
    after = int(time.time())
    s, e = window_of_last_request(emu)
    return s, e, before, after


def test_every_form_names_the_same_window(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    emu = fresh_emu
    t = int(time.time()) - 2 * HOUR
    iso = dt.datetime.fromtimestamp(t, UTC).isoformat()
    eastern = dt.datetime.fromtimestamp(t, dt.timezone(dt.timedelta(hours=-5)))
    for start in (t, float(t), str(t), iso, iso.replace("+00:00", "Z"), eastern):
        s, e, before, after = listed(client, emu, start, t + HOUR)
        assert (s, e) == (t, t + HOUR), start
    # Spans and timedelta: back from the client's clock.
    for start in ("6h", "360m", dt.timedelta(hours=6), "21600s"):
        s, e, before, after = listed(client, emu, start)
        assert before <= e <= after  # end=None is now
        assert e - s == 6 * HOUR, start
    # `now` as an end, and a date (midnight UTC).
    s, e, before, after = listed(client, emu, "1h", "now")
    assert before <= e <= after
    assert e - s == HOUR
    today = dt.datetime.now(UTC).date()
    s, _, _, _ = listed(client, emu, today - dt.timedelta(days=1))
    assert s == int(dt.datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()) - DAY


def test_fractions_round_outward(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    t = int(time.time()) - HOUR
    s, e, _, _ = listed(client, fresh_emu, t + 0.25, t + 600.5)
    assert (s, e) == (t, t + 601)  # the window still holds every second it touches


def test_start_none_is_as_far_back_as_the_service_keeps(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    s, _e, before, after = listed(client, fresh_emu, None)
    # Errors are kept a year; core starts ten minutes inside it.
    assert before - 365 * DAY + 600 <= s <= after - 365 * DAY + 600
    fresh_emu.clear_requests()
    client.call_logs(None, limit=1).collect()
    s, _ = window_of_last_request(fresh_emu)
    assert abs(s - (int(time.time()) - 5 * DAY + 600)) <= 2  # call logs: five days


@pytest.mark.parametrize(
    ("start", "end", "field", "says"),
    [
        (24, None, "start", "did you mean 24h?"),
        ("24", None, "start", "did you mean 24h?"),
        (1_764_200_000_000, None, "start", "milliseconds"),
        (time.time_ns(), None, "start", "nanoseconds"),
        (2**80, None, "start", "too large"),
        ("yesterday", None, "start", "cannot read"),
        ("2026-11-26T08:00:00", None, "start", "no UTC offset"),
        ("5y", None, "start", "unknown unit"),
        (dt.timedelta(days=-1), None, "start", "span"),
        (float("nan"), None, "start", "finite"),
        (int(time.time()) + DAY, int(time.time()) + 2 * DAY, "start", "in the future"),
        ("1h", "2h", "end", "swapped"),
        ("1h", "max", "end", "not an end"),
        (dt.datetime(2026, 1, 1), None, "start", "naive"),
        (True, None, "start", "not bool"),
        ("1h", [1], "end", "not list"),
    ],
)
def test_mistakes_are_refused_naming_the_argument(
    client: plumlogs.Client,
    fresh_emu: plumlogs.Emulator,
    start: Any,
    end: Any,
    field: str,
    says: str,
) -> None:
    with pytest.raises(plumlogs.InvalidArgument) as info:
        client.sessions(start, end)
    assert info.value.field == field, info.value
    assert says in str(info.value), info.value
    assert fresh_emu.requests() == []  # refused before any request


def test_errors_quote_a_bounded_excerpt(client: plumlogs.Client) -> None:
    with pytest.raises(plumlogs.InvalidArgument) as info:
        client.errors("x" * 100_000)
    assert len(str(info.value)) < 1000
    assert "100000 bytes" in str(info.value)


def test_call_logs_with_text_takes_the_same_forms(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    pairs = list(client.call_logs_with_text("6h", limit=2))
    assert len(pairs) == 2
    with pytest.raises(plumlogs.InvalidArgument, match="did you mean 6h"):
        client.call_logs_with_text(6)
