"""Shared fixtures: the repository's test vectors and one emulator per test module."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import plumlogs

# bindings-python/tests/ -> the repository root -> core/tests/vectors
VECTORS = Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors"

SESSION_LINE = (
    "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 "
    "200035;003;1509734279 1509734310 1509734339 00:00:29"
)
LOCAL_LINE = (
    "local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 "
    "200035;003;1509734279 menu: caller pressed [1]: billing"
)
ERROR_LINE = (
    "error 6175551234 0 [09/Jan/2017:08:33:31 -0400] 8009957586 "
    "000020;000;1483968637 ReferenceError: d is not defined line 1"
)
CALL_LOG = (
    "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered\n"
    "Wed 28 Aug 2002 10:17:01 AM EDT [jsi] (100025;006;1479411625) DEBUG: first line\n"
    "  second line\n"
    "Wed 28 Aug 2002 10:17:02 AM CEST [log] (100025;006;1479411625) LOCAL: unknown zone\n"
)


def vector(*parts: str) -> Path:
    path = VECTORS.joinpath(*parts)
    assert path.is_file(), f"missing test vector {path}"
    return path


def jsonl(*parts: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in vector(*parts).read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def emu() -> Iterator[plumlogs.Emulator]:
    # A few hundred calls a day keeps every listing to a handful of pages.
    with plumlogs.Emulator(seed=7, calls_per_day=300) as e:
        yield e


@pytest.fixture
def fresh_emu(emu: plumlogs.Emulator) -> Iterator[plumlogs.Emulator]:
    emu.clear_faults()
    emu.clear_requests()
    # Its clock stopped at the real now for the test: two listings of a window ending
    # at `now()` then see the same calls, though a call may end between them.
    emu.set_clock(int(time.time()))
    yield emu
    emu.set_clock(None)


def make_client(emu: plumlogs.Emulator, **kw: Any) -> plumlogs.Client:
    kw.setdefault("backoff", (0.001, 0.01))  # retries without slowing the suite down
    return plumlogs.Client(emu.username, emu.password, base_url=emu.base_url, **kw)


@pytest.fixture
def client(fresh_emu: plumlogs.Emulator) -> plumlogs.Client:
    return make_client(fresh_emu)
