"""A finished listing is fetched afresh when it is read again, never an empty result."""

from __future__ import annotations

import pytest

import plumlogs

DAY = 86400


def pages(emu: plumlogs.Emulator) -> int:
    return sum(1 for r in emu.requests() if r["path"].startswith("/ws/calls/"))


def test_iterating_again_refetches(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    listing = client.sessions(fresh_emu.now() - DAY, fresh_emu.now(), page_size=100)
    first = list(listing)
    n = pages(fresh_emu)
    assert len(first) > 100
    second = list(listing)  # a re-run notebook cell
    assert second == first
    assert pages(fresh_emu) == 2 * n  # from the server again, not a cache
    assert [r.to_dict() for r in listing] == [r.to_dict() for r in first]


def test_frames_after_iterating_hold_every_row(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    pytest.importorskip("pandas", reason="pandas is not installed")
    listing = client.errors(fresh_emu.now() - DAY, fresh_emu.now(), page_size=10)
    rows = list(listing)
    assert len(rows) > 10
    assert len(listing.to_pandas()) == len(rows)
    assert len(listing.to_pandas()) == len(rows)  # and again
    assert listing.collect() == rows
    assert listing.to_arrow().num_rows == len(rows)


def test_a_partly_read_listing_goes_on_where_it_stopped(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    everything = client.call_logs(fresh_emu.now() - DAY, fresh_emu.now()).collect()
    listing = client.call_logs(fresh_emu.now() - DAY, fresh_emu.now(), page_size=25)
    head = [next(listing) for _ in range(3)]
    rest = listing.collect()  # the rest, as an iterator's rest
    assert head + list(rest) == list(everything)
    assert listing.collect() == everything  # finished: fetched afresh, whole


def test_a_failed_listing_is_fetched_afresh(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    listing = client.errors(fresh_emu.now() - DAY, fresh_emu.now(), page_size=10)
    fresh_emu.inject_status(400, count=1, path_prefix="/ws/calls/errors")  # not retried
    with pytest.raises(plumlogs.ApiError):
        list(listing)
    assert list(listing) == client.errors(fresh_emu.now() - DAY, fresh_emu.now()).collect()


def test_a_closed_listing_stops_and_reads_again_whole(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    listing = client.sessions(fresh_emu.now() - DAY, fresh_emu.now(), page_size=50)
    next(listing)
    listing.close()
    rest = [next(listing) for _ in range(49)]  # the page already fetched
    assert len(rest) == 49
    with pytest.raises(StopIteration):
        next(listing)
    assert pages(fresh_emu) == 1
    again = list(listing)
    assert len(again) > 50
    assert again == client.sessions(fresh_emu.now() - DAY, fresh_emu.now()).collect()
