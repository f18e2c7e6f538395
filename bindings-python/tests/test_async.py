"""`plumlogs.AsyncClient` against the emulator: async iteration, DataFrame exits,
call logs, context manager, and cancellation that stops the work in flight."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import plumlogs
from conftest import make_client

DAY = 86400


def async_client(emu: plumlogs.Emulator, **kw: Any) -> plumlogs.AsyncClient:
    kw.setdefault("backoff", (0.001, 0.01))
    return plumlogs.AsyncClient(emu.username, emu.password, base_url=emu.base_url, **kw)


def run(coro: Any, timeout: float = 60) -> Any:
    """Run a coroutine on a fresh loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def page_requests(emu: plumlogs.Emulator, service: str) -> int:
    return sum(1 for r in emu.requests() if r["path"].startswith(f"/ws/calls/{service}/"))


def cancel_and_count(emu: plumlogs.Emulator, service: str, work: Any, after: float) -> int:
    """Run ``work()`` (a coroutine function), cancel it after ``after`` seconds, and
    return how many ``service`` requests were made once the ones under way finished;
    fails if any request starts later."""

    async def main() -> None:
        task = asyncio.ensure_future(work())
        await asyncio.sleep(after)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())
    time.sleep(0.8)  # the requests under way finish in the background
    seen = page_requests(emu, service)
    time.sleep(1.0)  # several more requests' worth of time: none may start
    assert page_requests(emu, service) == seen
    return seen


def test_async_listings_yield_what_the_sync_client_yields(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    want = {
        s: getattr(make_client(fresh_emu), s)(start, end).collect().to_dicts()
        for s in ("sessions", "errors", "call_logs")
    }

    async def main() -> dict[str, list[dict[str, Any]]]:
        async with async_client(fresh_emu) as client:
            got = {}
            for s in ("sessions", "errors", "call_logs"):
                got[s] = [r.to_dict() async for r in getattr(client, s)(start, end, page_size=97)]
            return got

    got = run(main())
    assert all(len(v) > 0 for v in want.values())
    assert got == want


def test_async_frames_call_log_and_properties(fresh_emu: plumlogs.Emulator) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    sync = make_client(fresh_emu)
    calls = sync.call_logs(start, end).collect()

    async def main() -> tuple[Any, ...]:
        client = async_client(fresh_emu)
        assert client.base_url == fresh_emu.base_url
        assert client.username == fresh_emu.username
        assert client.format == "json"
        assert repr(client).startswith("AsyncClient(")
        listing = client.call_logs(start, end, page_size=50)
        assert listing.last_response is None  # nothing fetched yet
        table = await listing.to_arrow()
        assert listing.last_response is not None
        assert listing.last_response.status == 200
        frame = await client.sessions(start, end).to_pandas()
        log = await client.call_log(calls[0].log_id)
        got = await client.errors(start, end).collect()
        return table, frame, log, got

    table, frame, log, got = run(main())
    assert table.column("log_id").to_pylist() == [c.log_id for c in calls]
    assert len(frame) == len(sync.sessions(start, end).collect())
    assert isinstance(log, plumlogs.CallLog)
    assert log.entries == sync.call_log(calls[0].log_id).entries
    assert got == sync.errors(start, end).collect()


def test_async_errors_are_the_sync_errors(fresh_emu: plumlogs.Emulator) -> None:
    async def main() -> None:
        client = async_client(fresh_emu, max_retries=0)
        with pytest.raises(plumlogs.InvalidArgument) as info:
            client.sessions("24", None)  # refused when the listing is made
        assert info.value.field == "start"
        with pytest.raises(plumlogs.ApiError) as api:
            await client.call_log(123)
        assert api.value.http_status == 404
        fresh_emu.inject_status(500, count=1, path_prefix="/ws/calls/errors")
        with pytest.raises(plumlogs.ApiError):
            async for _ in client.errors("1h"):
                pass

    run(main())


def test_cancelling_a_collect_stops_its_requests(fresh_emu: plumlogs.Emulator) -> None:
    # 70-odd slow pages would take 20 s; the collect is cancelled after about two.
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    fresh_emu.inject_slow(300, count=1000, path_prefix="/ws/calls/sessions")
    client = async_client(fresh_emu)
    seen = cancel_and_count(
        fresh_emu, "sessions", lambda: client.sessions(start, end, page_size=20).collect(), 0.7
    )
    assert 1 <= seen <= 5


def test_cancelling_a_windowed_iteration_stops_the_workers(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - 4 * DAY, fresh_emu.now()
    fresh_emu.inject_slow(200, count=1000, path_prefix="/ws/calls/sessions")
    listing = async_client(fresh_emu).sessions(start, end, page_size=20, concurrency=4)
    seen = cancel_and_count(fresh_emu, "sessions", lambda: _drain(listing), 0.8)
    assert seen < 100  # four days of sessions are several hundred pages of 20


async def _drain(listing: plumlogs.AsyncListing[Any]) -> int:
    n = 0
    async for _ in listing:
        n += 1
    return n


def test_the_loop_keeps_running_while_pages_are_fetched(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    fresh_emu.inject_slow(150, count=8, path_prefix="/ws/calls/sessions")

    async def main() -> tuple[int, int]:
        client = async_client(fresh_emu)
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                await asyncio.sleep(0.01)
                ticks += 1

        t = asyncio.ensure_future(ticker())
        got = await client.sessions(start, end, page_size=50, concurrency=1).collect()
        stop.set()
        await t
        return ticks, len(got)

    ticks, n = run(main())
    assert n > 8 * 50  # more pages than the 8 slow ones (a day has over a thousand lines)
    # 8 pages of 150 ms: a blocked loop would not tick at all meanwhile.
    assert ticks >= 20


def test_async_with_closes_what_it_opened(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    fresh_emu.inject_slow(200, count=1000, path_prefix="/ws/calls/sessions")

    async def main() -> None:
        async with async_client(fresh_emu) as client:
            listing = client.sessions(start, end, page_size=20)
            it = listing.__aiter__()
            await it.__anext__()  # one page fetched
        # Leaving the block closed it: the next page is not fetched.
        rest = []
        with pytest.raises(StopAsyncIteration):  # noqa: PT012 - the end comes after the page's rest
            while len(rest) < 100:
                rest.append(await it.__anext__())
        assert len(rest) == 19  # the page fetched before the exit, and no other

    run(main())
    assert page_requests(fresh_emu, "sessions") == 1


def test_an_async_listing_can_be_read_again(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()

    async def main() -> tuple[int, int, int]:
        client = async_client(fresh_emu)
        listing = client.errors(start, end, page_size=10)
        first = [r async for r in listing]
        second = [r async for r in listing]
        third = await listing.collect()
        return len(first), len(second), len(third)

    a, b, c = run(main())
    assert a > 0
    assert a == b == c


def test_collect_in_the_middle_of_an_async_for_is_refused(fresh_emu: plumlogs.Emulator) -> None:
    async def main() -> None:
        listing = async_client(fresh_emu).sessions("6h", page_size=50)
        async for _ in listing:
            with pytest.raises(RuntimeError, match="middle of an async iteration"):
                await listing.collect()
            break

    run(main())


def test_async_call_logs_with_text(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    sync = make_client(fresh_emu)
    want = [
        (s.log_id, len(log.entries)) for s, log in sync.call_logs_with_text(start, end, limit=6)
    ]

    async def main() -> list[tuple[int, int]]:
        client = async_client(fresh_emu)
        pairs = client.call_logs_with_text(start, end, limit=6, concurrency=3)
        assert pairs.total is None  # nothing listed yet
        got = []
        async for summary, log in pairs:
            assert pairs.total == 6
            assert isinstance(log, plumlogs.CallLog)
            got.append((summary.log_id, len(log.entries)))
        return got

    assert run(main()) == want


def test_cancelling_call_logs_with_text_stops_the_fetches(fresh_emu: plumlogs.Emulator) -> None:
    start, end = fresh_emu.now() - DAY, fresh_emu.now()
    fresh_emu.inject_slow(300, count=1000, path_prefix="/ws/calls/log/")
    pairs = async_client(fresh_emu).call_logs_with_text(start, end, limit=200, concurrency=2)
    seen = cancel_and_count(fresh_emu, "log", lambda: _drain_pairs(pairs), 0.8)
    assert seen < 30  # 200 logs at 300 ms on 2 workers would go on for 30 s


async def _drain_pairs(pairs: plumlogs.AsyncCallLogsWithText) -> int:
    return len([p async for p in pairs])
