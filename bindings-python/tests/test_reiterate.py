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
    # About a dozen error lines a day: pages of 3 make it several pages.
    listing = client.errors(fresh_emu.now() - DAY, fresh_emu.now(), page_size=3)
    rows = list(listing)
    assert len(rows) > 3
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


def test_prefetch_knows_the_total_before_the_first_record(
    client: plumlogs.Client, fresh_emu: plumlogs.Emulator
) -> None:
    end = fresh_emu.now()
    # One day: not split into sub-windows, so the first page carries the count.
    listing = client.sessions(end - DAY + 1, end, page_size=100)
    assert listing.total_hint is None  # nothing fetched yet
    assert pages(fresh_emu) == 0
    assert listing.prefetch() is listing
    total = listing.total_hint
    assert total is not None
    assert total > 100
    assert pages(fresh_emu) == 1
    listing.prefetch()  # a page was fetched already: nothing more
    assert pages(fresh_emu) == 1
    rows = list(listing)  # starts with the prefetched page, fetched once
    assert len(rows) == total
    # The walk ends at the first page shorter than 100: an empty one when the total
    # is a multiple of 100 (the count is not the stop rule).
    assert pages(fresh_emu) == total // 100 + 1
    assert rows == client.sessions(end - DAY + 1, end, page_size=100).collect()


def test_async_prefetch(fresh_emu: plumlogs.Emulator) -> None:
    import asyncio

    async def main() -> tuple[int | None, int]:
        async with plumlogs.AsyncClient(
            fresh_emu.username, fresh_emu.password, base_url=fresh_emu.base_url
        ) as c:
            end = fresh_emu.now()
            listing = await c.errors(end - DAY + 1, end, page_size=3).prefetch()
            total = listing.total_hint
            return total, len([r async for r in listing])

    total, n = asyncio.run(main())
    assert total is not None
    assert total == n > 3  # several pages of 3
