"""Every fault kind the emulator injects, past the retries, reaches Python as the
typed error the core maps it to: the exception class, its ``code``, the HTTP
status where there was one, and the server's message where it sent one; and a
listing the server leaves shorter than its own count is a ``TransportError``
saying what is missing."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

import plumlogs
from conftest import SESSION_LINE, make_client

SESSIONS = "/ws/calls/sessions"
LOG = "/ws/calls/log/"
DAY = 86400

# (fault, the exception class, its http_status, a text the message must hold).
# `slow` waits 3x the 1 s timeout the client is given, so a loaded machine neither
# mistakes a normal answer for a timeout nor a slow one for an answer.
CASES: list[tuple[dict[str, Any], type[plumlogs.PlumError], int | None, str]] = [
    *[
        ({"kind": "status", "status": s}, plumlogs.ApiError, s, "")
        for s in (500, 502, 503, 504, 429, 400, 404)
    ],
    ({"kind": "status", "status": 401}, plumlogs.AuthError, 401, ""),
    ({"kind": "status", "status": 403}, plumlogs.AuthError, 403, ""),
    (
        {"kind": "documented_failure", "status": 503},
        plumlogs.ApiError,
        503,
        "Service temporarily unavailable (emulated HTTP 503)",
    ),
    (
        {"kind": "documented_failure", "status": 401},
        plumlogs.AuthError,
        401,
        "Service temporarily unavailable (emulated HTTP 401)",
    ),
    ({"kind": "slow", "delay_ms": 3000}, plumlogs.TransportError, None, "timed out"),
    ({"kind": "truncated"}, plumlogs.TransportError, None, ""),
    ({"kind": "malformed"}, plumlogs.TransportError, None, "broken"),
    ({"kind": "drop"}, plumlogs.TransportError, None, ""),
]

CODES = {
    plumlogs.ApiError: "API_ERROR",
    plumlogs.AuthError: "AUTH_ERROR",
    plumlogs.TransportError: "TRANSPORT_ERROR",
}


def _name(case: tuple[dict[str, Any], Any, Any, Any]) -> str:
    fault = case[0]
    return "-".join(str(v) for v in fault.values())


def check(
    err: plumlogs.PlumError, cls: type[plumlogs.PlumError], status: int | None, text: str
) -> None:
    # The exact class: an AuthError is an ApiError too, but a 503 must not be one.
    assert type(err) is cls, f"{type(err).__name__}: {err}"
    assert err.code == CODES[cls]
    assert str(err)
    if text:
        assert text in str(err), str(err)
    if isinstance(err, plumlogs.ApiError):
        assert err.http_status == status
        # The emulator's failure envelope carries a message: it is surfaced as is,
        # not replaced by the status line.
        assert err.message
        assert not err.message.startswith("HTTP "), err.message


@pytest.mark.parametrize("wire", ["json", "xml"])
@pytest.mark.parametrize("case", CASES, ids=_name)
def test_a_fault_on_a_listing_is_its_typed_error(
    fresh_emu: plumlogs.Emulator,
    wire: str,
    case: tuple[dict[str, Any], type[plumlogs.PlumError], int | None, str],
) -> None:
    fault, cls, status, text = case
    client = make_client(fresh_emu, format=wire, max_retries=0, timeout=1.0)
    fresh_emu.inject({**fault, "count": 1, "path_prefix": SESSIONS})
    with pytest.raises(plumlogs.PlumError) as info:
        list(client.sessions(fresh_emu.now() - DAY, fresh_emu.now()))
    check(info.value, cls, status, text)
    # The fault was used up by that one request: the same listing now succeeds.
    assert fresh_emu.faults() == []
    assert len(list(client.sessions(fresh_emu.now() - DAY, fresh_emu.now(), limit=5))) == 5


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_a_fault_on_a_call_log_is_its_typed_error(
    fresh_emu: plumlogs.Emulator,
    case: tuple[dict[str, Any], type[plumlogs.PlumError], int | None, str],
) -> None:
    fault, cls, status, text = case
    client = make_client(fresh_emu, max_retries=0, timeout=1.0)
    log_id = next(iter(client.call_logs(fresh_emu.now() - DAY, fresh_emu.now(), limit=1))).log_id
    fresh_emu.inject({**fault, "count": 1, "path_prefix": LOG})
    with pytest.raises(plumlogs.PlumError) as info:
        client.call_log(log_id)
    check(info.value, cls, status, text)
    assert client.call_log(log_id).entries


def test_a_fault_within_the_retries_is_not_seen(fresh_emu: plumlogs.Emulator) -> None:
    # The same faults, once each, with one retry allowed: every listing comes back whole.
    client = make_client(fresh_emu, max_retries=1, timeout=1.0)
    # One frozen clock: a call ending between two listings would make them differ.
    end = fresh_emu.now()
    fresh_emu.set_clock(end)
    try:
        clean = [r.to_dict() for r in client.sessions(end - DAY, end)]
        assert clean
        for fault, cls, _, _ in CASES:
            if cls is plumlogs.AuthError or fault.get("status") in (400, 404):
                continue  # not retried: the same request gets the same answer
            fresh_emu.clear_faults()
            fresh_emu.inject({**fault, "count": 1, "path_prefix": SESSIONS})
            got = [r.to_dict() for r in client.sessions(end - DAY, end)]
            assert got == clean, fault
    finally:
        fresh_emu.set_clock(None)


class _ShortListing(BaseHTTPRequestHandler):
    """A server that counts 100 sessions, sends one, then an empty page."""

    def do_GET(self) -> None:
        offset = int(parse_qs(urlparse(self.path).query).get("offset", ["0"])[0])
        items = [SESSION_LINE] if offset == 0 else []
        result = {"total_sessions": "100", "sessions": items}
        body = json.dumps({"status": "success", "error": "", "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_listing_shorter_than_its_count_is_a_transport_error_saying_so() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ShortListing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = plumlogs.Client(
            "u", "p", base_url=f"http://127.0.0.1:{server.server_port}", max_retries=0
        )
        now = int(time.time())
        with pytest.raises(plumlogs.TransportError) as info:
            list(client.sessions(now - 3600, now, page_size=10))
        err = info.value
        assert err.code == "TRANSPORT_ERROR"
        assert err.kind == "incomplete_listing"
        assert (err.reported, err.received) == (100, 1)
        assert "server reported 100, sent 1; offset 1 came back empty" in str(err)
    finally:
        server.shutdown()
        server.server_close()
