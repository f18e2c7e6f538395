"""Event-loop lag while 50 concurrent handlers pull a day of errors.

Not a test: a measurement. What an aiohttp/FastAPI server sees when its handlers
call plumlogs: a ticker coroutine sleeps 5 ms at a time and records how late it
wakes; its p99 is the loop lag every other request on that server would feel.

- sync: each handler calls the blocking ``Client`` directly,
  ``client.errors(start, end).collect()`` — the loop stops for every pull.
- async: each handler awaits ``AsyncClient``: ``await client.errors(start, end).collect()``
  — the pages are fetched on the loop's default executor with the GIL released.

Both run in the same process against one emulator (each request delayed by
``--latency-ms`` to stand in for the network), one after the other, ``--rounds``
times; the figures of each mode are pooled over the rounds. Example::

    python bindings-python/bench/bench_async_lag.py --handlers 50 --latency-ms 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import plumlogs

TICK = 0.005


async def ticker(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append(time.perf_counter() - t - TICK)


async def run_mode(
    mode: str, emu: plumlogs.Emulator, handlers: int
) -> tuple[list[float], float, int]:
    start, end = emu.now() - 86400, emu.now()
    kw: dict[str, Any] = {"base_url": emu.base_url}
    sync = plumlogs.Client(emu.username, emu.password, **kw)
    aclient = plumlogs.AsyncClient(emu.username, emu.password, **kw)

    async def handler() -> int:
        if mode == "sync":
            return len(sync.errors(start, end).collect())
        return len(await aclient.errors(start, end).collect())

    lags: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.ensure_future(ticker(stop, lags))
    await asyncio.sleep(0.05)  # the ticker is running
    began = time.perf_counter()
    counts = await asyncio.gather(*(handler() for _ in range(handlers)))
    wall = time.perf_counter() - began
    stop.set()
    await tick
    return lags, wall, sum(counts)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--handlers", type=int, default=50)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--calls-per-day", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    results: dict[str, dict[str, list[float]]] = {
        m: {"lags": [], "walls": []} for m in ("sync", "async")
    }
    records = {}
    with plumlogs.Emulator(seed=7, calls_per_day=a.calls_per_day) as emu:
        for _ in range(a.rounds):
            for mode in ("sync", "async"):
                emu.clear_faults()
                if a.latency_ms:
                    emu.inject_slow(a.latency_ms, count=1_000_000, path_prefix="/ws/calls/")
                lags, wall, n = asyncio.run(run_mode(mode, emu, a.handlers))
                results[mode]["lags"] += lags
                results[mode]["walls"].append(wall)
                records[mode] = n
                emu.clear_requests()
    print(
        f"{a.handlers} handlers x a day of errors ({records['async'] // a.handlers} records each), "
        f"{a.latency_ms} ms per request, {a.rounds} rounds, python {sys.version.split()[0]}"
    )
    print(f"{'mode':6} {'lag p50 ms':>11} {'lag p99 ms':>11} {'lag max ms':>11} {'wall s':>8}")
    for mode, r in results.items():
        lags = r["lags"]
        print(
            f"{mode:6} {pct(lags, 0.5) * 1e3:11.2f} {pct(lags, 0.99) * 1e3:11.2f} "
            f"{max(lags) * 1e3:11.2f} {statistics.median(r['walls']):8.2f}"
        )
    p99 = {m: pct(r["lags"], 0.99) for m, r in results.items()}
    print(f"p99 lag ratio sync/async: {p99['sync'] / max(p99['async'], 1e-9):.0f}x")
    assert records["sync"] == records["async"], records


if __name__ == "__main__":
    main()
