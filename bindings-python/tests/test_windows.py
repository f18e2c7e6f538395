"""Long windows as parallel sub-windows (core's `*_windowed`): same records, same order."""

from __future__ import annotations

import pytest

import plumlogs

DAY = 86400


def windows_asked(emu: plumlogs.Emulator, service: str) -> set[tuple[int, int]]:
    out = set()
    for r in emu.requests():
        parts = r["path"].split("/")
        if r["path"].startswith(f"/ws/calls/{service}/"):
            out.add((int(parts[-2]), int(parts[-1])))
    return out


@pytest.mark.parametrize("service", ["sessions", "errors", "call_logs"])
def test_sub_windows_give_the_serial_records_in_order(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator, service: str
) -> None:
    start, end = fresh_emu.now() - 4 * DAY, fresh_emu.now()
    serial = getattr(client, service)(start, end, page_size=100, concurrency=1).collect()
    path = "logs" if service == "call_logs" else service
    assert windows_asked(fresh_emu, path) == {(start, end)}
    fresh_emu.clear_requests()
    parallel = getattr(client, service)(
        start, end, page_size=100, concurrency=4, sub_window_seconds=6 * 3600
    ).collect()
    assert len(serial) > 0
    assert parallel == serial
    asked = windows_asked(fresh_emu, path)
    assert len(asked) >= 16  # four days in six-hour pieces
    assert min(s for s, _ in asked) == start
    assert max(e for _, e in asked) == end


def test_default_splits_long_windows(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - 3 * DAY, fresh_emu.now()
    got = list(client.sessions(start, end))
    assert len(windows_asked(fresh_emu, "sessions")) > 1
    fresh_emu.clear_requests()
    assert got == client.sessions(start, end, concurrency=1).collect()
    fresh_emu.clear_requests()
    client.sessions(fresh_emu.now() - DAY, fresh_emu.now()).collect()
    assert len(windows_asked(fresh_emu, "sessions")) == 1  # a day is one walk


def test_a_failed_sub_window_fails_the_listing(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    start, end = fresh_emu.now() - 3 * DAY, fresh_emu.now()
    second = (start // DAY + 1) * DAY  # pieces are cut at multiples of their length
    fresh_emu.inject_status(400, count=1, path_prefix=f"/ws/calls/errors/{second}/")
    with pytest.raises(plumlogs.ApiError):
        client.errors(start, end, concurrency=3, sub_window_seconds=DAY).collect()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": 65}, "concurrency"),
        ({"concurrency": "4"}, "concurrency"),
        ({"sub_window_seconds": 0}, "sub_window_seconds"),
        ({"sub_window_seconds": -(2**70)}, "sub_window_seconds"),
    ],
)
def test_window_options_are_range_checked(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(plumlogs.InvalidArgument) as info:
        client.sessions(fresh_emu.now() - 3 * DAY, fresh_emu.now(), **kw)  # type: ignore[arg-type]
    assert info.value.field == field
    assert windows_asked(fresh_emu, "sessions") == set()  # refused before any request
