"""`follow_sessions`/`follow_errors`: new records as they arrive, each once; bounded
by a stop handle and a record count."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest

import plumlogs

HOUR = 3600


DAY = 86400


def setup(calls_per_day: int = 300) -> tuple[plumlogs.Emulator, int]:
    # The emulator's clock behind the real one, at the latest 20:00 UTC at least two
    # hours ago (a busy hour: US nights have few calls, and a test run at any hour
    # must see some); calls "happen" as it is moved on.
    t0 = (int(time.time()) - 2 * HOUR - 20 * HOUR) // DAY * DAY + 20 * HOUR
    return plumlogs.Emulator(seed=11, calls_per_day=calls_per_day, clock=t0), t0


def lookback(t0: int) -> int:
    """A follow's lookback reaching from the real now (its client's clock) back past
    `t0 - HOUR`, where the tests' windows start."""
    return int(time.time()) - t0 + 2 * HOUR


def client_of(emu: plumlogs.Emulator, cls: Any = plumlogs.Client) -> Any:
    return cls(emu.username, emu.password, base_url=emu.base_url, backoff=(0.001, 0.01))


def test_follow_yields_each_new_record_once() -> None:
    emu, t0 = setup()
    with emu:
        client = client_of(emu)
        since = t0 - HOUR
        first = client.sessions(since, None).collect()
        follow = client.follow_sessions(interval=0.05, lookback_seconds=lookback(t0), since=since)
        safety = threading.Timer(30, follow.stop)  # bounds the test whatever happens
        safety.start()
        got = []
        try:
            for rec in follow:
                got.append(rec)
                if len(got) == len(first):
                    emu.set_clock(t0 + 1800)  # half an hour of new calls
                    later = client.sessions(since, None).collect()
                    assert len(later) > len(first)
                if len(got) >= len(first) and len(got) == len(later):
                    time.sleep(0.2)  # a few more polls: nothing may repeat
                    break
        finally:
            safety.cancel()
        assert len(first) > 0
        assert sorted(str(r) for r in got) == sorted(str(r) for r in later)
        assert [str(r) for r in got[: len(first)]] == [str(r) for r in first]
        follow.stop()
        assert follow.stopped
        assert list(follow) == []  # stopped: the iterator ends


def test_stop_from_another_thread_ends_a_wait_at_once() -> None:
    emu, t0 = setup(calls_per_day=20)
    with emu:
        follow = client_of(emu).follow_errors(interval=3600, since=t0 - 60)
        threading.Timer(0.3, follow.stop).start()
        began = time.monotonic()
        got = list(follow)  # the first poll's records, then a wait of an hour, stopped
        assert time.monotonic() - began < 10
        assert got == client_of(emu).errors(t0 - 60, None).collect()


def test_follow_survives_transient_failures(caplog: pytest.LogCaptureFixture) -> None:
    emu, t0 = setup()
    with emu, caplog.at_level(logging.WARNING, logger="plumlogs.follow"):
        client = plumlogs.Client(emu.username, emu.password, base_url=emu.base_url, max_retries=0)
        emu.inject_status(503, count=1, retry_after=0, path_prefix="/ws/calls/sessions")
        with client.follow_sessions(
            interval=0.05, lookback_seconds=lookback(t0), since=t0 - HOUR
        ) as follow:
            rec = next(follow)
        assert isinstance(rec, plumlogs.SessionRecord)
    notes = [r.getMessage() for r in caplog.records if r.name == "plumlogs.follow"]
    assert len(notes) == 1, notes
    assert "503" in notes[0], notes


def test_follow_options_are_checked_before_any_request() -> None:
    emu, _t0 = setup(calls_per_day=10)
    with emu:
        client = client_of(emu)
        for kw, field in [
            ({"interval": 0}, "interval"),
            ({"interval": float("nan")}, "interval"),
            ({"lookback_seconds": 0}, "lookback_seconds"),
            ({"since": "24"}, "since"),
            ({"page_size": 0}, "page_size"),
        ]:
            with pytest.raises(plumlogs.InvalidArgument) as info:
                client.follow_errors(**kw)
            assert info.value.field == field, (kw, info.value)
        assert emu.requests() == []
        with pytest.raises(plumlogs.InvalidArgument):
            client.follow_errors(since="max", lookback_seconds=400 * 86400)  # beyond retention


async def _drain(follow: plumlogs.AsyncFollow[Any]) -> list[Any]:
    return [r async for r in follow]


def test_async_follow() -> None:
    emu, t0 = setup()

    async def main() -> list[Any]:
        async with client_of(emu, plumlogs.AsyncClient) as client:
            follow = client.follow_sessions(
                interval=0.05, lookback_seconds=lookback(t0), since=t0 - HOUR
            )
            got = []
            async for rec in follow:
                got.append(rec)
                if len(got) == 5:
                    break
            # Cancelling a follow waiting for its next poll stops it at once.
            quiet = client.follow_errors(interval=3600, since=int(time.time()) - 1)
            task = asyncio.ensure_future(_drain(quiet))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert quiet.stopped
            assert not follow.stopped
        assert follow.stopped  # leaving `async with` stopped it
        return got

    with emu:
        got = asyncio.run(asyncio.wait_for(main(), 30))
        want = client_of(emu).sessions(t0 - HOUR, None).collect()
    assert [str(r) for r in got] == [str(r) for r in want[:5]]
