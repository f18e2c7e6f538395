"""Thread safety, and the GIL released while Rust parses or waits on the network."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import plumlogs
from conftest import LOCAL_LINE, SESSION_LINE, make_client


def test_parsing_and_fetching_at_once(fresh_emu: plumlogs.Emulator) -> None:
    text = "\n".join([SESSION_LINE, LOCAL_LINE] * 2000)
    expected = plumlogs.parse_sessions(text).to_dicts()[:5]
    client = make_client(fresh_emu)
    start, end = fresh_emu.now() - 86400, fresh_emu.now()
    reference = client.errors(start, end).collect()

    def parse(_: int) -> bool:
        got = plumlogs.parse_sessions(text)
        return len(got) == 4000 and got.to_dicts()[:5] == expected

    def fetch(_: int) -> bool:
        return client.errors(start, end, page_size=40).collect() == reference

    shared = client.sessions(start, end, page_size=25)  # one listing, consumed by many threads

    def drain(_: int) -> list[str]:
        # next(), not a for loop: iter() of a finished listing starts it again (it is
        # re-iterable), so a thread that started late would fetch it all once more.
        out: list[str] = []
        while (r := next(shared, None)) is not None:
            out.append(r.session_id)
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        parsed = list(pool.map(parse, range(6)))
        fetched = list(pool.map(fetch, range(6)))
        drained = list(pool.map(drain, range(4)))
    assert all(parsed)
    assert all(fetched)
    total = sum(len(d) for d in drained)
    assert total == len(client.sessions(start, end).collect())  # each record exactly once


def count_while(call) -> int:  # type: ignore[no-untyped-def]
    """How often another Python thread ran while `call` was in progress."""
    inside = threading.Event()
    done = threading.Event()
    counter = [0]

    def spin() -> None:
        inside.wait()
        while not done.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        inside.set()
        call()
    finally:
        done.set()
        t.join()
    return counter[0]


def test_gil_is_released_during_network_waits(fresh_emu: plumlogs.Emulator) -> None:
    client = make_client(fresh_emu)
    fresh_emu.inject_slow(400, path_prefix="/ws/calls/errors")
    # With the GIL held for 400 ms the other thread could not run at all until the
    # call returned; released, it spins freely (millions of turns on an idle core).
    n = count_while(lambda: client.errors(fresh_emu.now() - 600, fresh_emu.now()).collect())
    assert n > 20_000


def test_gil_is_released_during_bulk_parse() -> None:
    text = "\n".join([SESSION_LINE] * 300_000)
    # Held, the other thread would get a handful of turns at the edges of the call.
    n = count_while(lambda: plumlogs.parse_sessions(text))
    assert n > 1_000
