"""The cases of core/tests/vectors/agreement.json, through the Python API: the same
code, kind, status and message as the Rust and Node tests of the same file expect
(issue 13's disagreements, issue 12's number ranges)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import plumlogs
from conftest import vector
from plumlogs import _native

CASES: dict[str, Any] = json.loads(vector("agreement.json").read_text())
LOOPBACK = "http://127.0.0.1:9"  # nothing listens: every case fails before a request


def _client(**kw: Any) -> plumlogs.Client:
    kw.setdefault("username", "u")
    kw.setdefault("password", "p")
    return plumlogs.Client(base_url=LOOPBACK, **kw)


def run(case: dict[str, Any]) -> None:
    args = case.get("python", {})
    op = case["op"]
    now = int(time.time())
    if op == "decode_response":
        plumlogs.decode_response(case["body"], case["service"])
    elif op == "client":
        kw = dict(args)
        if "backoff" in kw:
            kw["backoff"] = tuple(kw["backoff"])
        _client(**kw)
    elif op == "listing":
        _client().sessions(now - 10, now, **args)
    elif op == "with_text":
        _client().call_logs_with_text(now - 10, now, **args)
    elif op == "fault":
        with plumlogs.Emulator(calls_per_day=10) as emu:
            emu.inject_status(args["status"])
    elif op == "call_log":
        _client().call_log(args["log_id"])
    else:
        raise AssertionError(f"unknown op {op}")


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_every_case_gives_the_one_answer(case: dict[str, Any]) -> None:
    with pytest.raises(plumlogs.PlumError) as info:
        run(case)
    e = info.value
    assert type(e) is plumlogs._errors._BY_CODE[case["code"]]
    assert e.code == case["code"]
    assert str(e) == case["message"]
    if "kind" in case:
        assert e.kind == case["kind"]
    if "http_status" in case:
        assert isinstance(e, plumlogs.ApiError)
        assert e.http_status == case["http_status"]
    if "field" in case:
        assert isinstance(e, plumlogs.InvalidArgument)
        assert e.field == case["field"]


@pytest.mark.parametrize(
    "kw",
    [
        {"timeout": 1e300},
        {"backoff": (0, 1e300)},
        {"deadline": float("inf")},
        {"timeout": float("nan")},
    ],
)
def test_no_panic_escapes_except_exception(kw: dict[str, Any]) -> None:
    # Issue 12: these were a PanicException (a BaseException) from Duration::from_secs_f64.
    # InvalidArgument is an Exception; a PanicException or any other class escapes
    # pytest.raises and fails the test, as does no error at all.
    with pytest.raises(plumlogs.InvalidArgument):
        _client(**kw)


def test_the_defaults_are_the_cores() -> None:
    assert _native._defaults() == CASES["defaults"]
    assert _native._error_codes() == list(plumlogs._errors._BY_CODE)
    c = _client()
    assert c.format == "json"


def test_server_warning_is_a_user_warning() -> None:
    assert issubclass(plumlogs.ServerWarning, UserWarning)
