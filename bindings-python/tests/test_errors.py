"""Every exception path, with its attributes."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

import plumlogs
from conftest import LOCAL_LINE as LOCAL
from conftest import SESSION_LINE, make_client


def test_hierarchy() -> None:
    assert issubclass(plumlogs.ParseError, plumlogs.PlumError)
    assert issubclass(plumlogs.ParseError, ValueError)
    assert issubclass(plumlogs.InvalidArgument, plumlogs.PlumError)
    assert issubclass(plumlogs.InvalidArgument, ValueError)
    assert issubclass(plumlogs.ApiError, plumlogs.PlumError)
    assert issubclass(plumlogs.AuthError, plumlogs.ApiError)
    assert issubclass(plumlogs.TransportError, plumlogs.PlumError)
    assert not issubclass(plumlogs.ApiError, ValueError)


def test_single_line_parse_error() -> None:
    bad = SESSION_LINE.replace("Nov", "Nox")
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_session_line(bad)
    e = info.value
    assert (e.line, e.column, e.kind, e.input) == (1, bad.index("Nox") + 1, "bad_month", bad)
    assert "month" in e.reason
    assert "line 1, column" in str(e)
    with pytest.raises(ValueError, match="expected an error line"):  # also a ValueError
        plumlogs.parse_error_line(SESSION_LINE)


def test_bulk_strict_names_the_line() -> None:
    text = f"{SESSION_LINE}\n\n{SESSION_LINE[:40]}\n{SESSION_LINE}\n"
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions(text)
    e = info.value
    assert (e.line, e.kind, e.input) == (3, "truncated", SESSION_LINE[:40])
    assert e.offset == len(SESSION_LINE) + 2 + e.column - 1


def test_bulk_lenient_keeps_every_good_record_and_every_problem() -> None:
    text = "\n".join([SESSION_LINE, "garbage here", SESSION_LINE, "inbound 1 2 [x]", SESSION_LINE])
    res = plumlogs.parse_sessions(text, strict=False)
    assert isinstance(res, plumlogs.ParseResult)
    assert not res.ok
    assert len(res) == len(res.records) == 3
    assert [r.kind for r in res] == ["inbound"] * 3
    assert [(p.line, p.input) for p in res.problems] == [
        (2, "garbage here"),
        (4, "inbound 1 2 [x]"),
    ]
    assert all(isinstance(p, plumlogs.ParseError) and p.reason and p.column for p in res.problems)
    assert repr(res) == "ParseResult(3 SessionRecord records, 2 problems)"
    clean = plumlogs.parse_errors("", strict=False)
    assert clean.ok
    assert len(clean) == 0
    assert clean.problems == []


def test_call_log_orphan_continuation() -> None:
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_call_log("not an entry\n")
    assert (info.value.line, info.value.kind) == (1, "orphan_continuation")


def test_invalid_utf8_in_bytes() -> None:
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions(SESSION_LINE.replace("6177123000", "61771\xff").encode("latin-1"))
    assert info.value.kind == "invalid_utf8"


def test_decode_broken_bodies_say_where() -> None:
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.decode_response(b'{"status":"success",\n "result": {"sessions": [1,', "sessions")
    e = info.value
    assert e.line == 2
    assert e.column is not None
    assert e.offset is not None
    assert e.input.startswith(' "result"')
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.decode_response("hello", "logs")
    assert (info.value.line, info.value.column, info.value.kind) == (1, 1, "malformed_body")


def test_decode_failure_body_is_api_error_without_status() -> None:
    body = b'{"status":"failure","error":"Unauthorized access to sample service",}'
    with pytest.raises(plumlogs.ApiError) as info:
        plumlogs.decode_response(body, "logs")
    assert info.value.message == "Unauthorized access to sample service"
    assert info.value.http_status is None


def test_invalid_arguments(fresh_emu: plumlogs.Emulator) -> None:
    emu = fresh_emu
    with pytest.raises(plumlogs.InvalidArgument, match="unknown service"):
        plumlogs.decode_response("{}", "calls")
    with pytest.raises(plumlogs.InvalidArgument, match="format"):
        plumlogs.Client("u", "p", base_url=emu.base_url, format="yaml")  # type: ignore[arg-type]
    with pytest.raises(plumlogs.InvalidArgument, match="timeout"):
        plumlogs.Client("u", "p", base_url=emu.base_url, timeout=0)
    client = make_client(emu)
    now = emu.now()
    naive = dt.datetime(2024, 1, 1)
    with pytest.raises(plumlogs.InvalidArgument, match="naive"):
        client.sessions(naive, now)
    with pytest.raises(plumlogs.InvalidArgument):
        client.sessions(now, now - 10)  # end before start
    with pytest.raises(plumlogs.InvalidArgument):
        client.sessions(now - 10, now, page_size=0)
    with pytest.raises(plumlogs.InvalidArgument):
        client.sessions(now - 10, now, page_size=10_001)
    with pytest.raises(plumlogs.InvalidArgument):
        client.sessions(now - 3 * 365 * 86400, now - 2 * 365 * 86400)  # beyond retention
    with pytest.raises(plumlogs.InvalidArgument):
        client.call_logs_with_text(now - 10, now, on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(plumlogs.InvalidArgument, match=r"^invalid argument start: "):
        client.sessions("yesterday", now)
    with pytest.raises(plumlogs.InvalidArgument, match=r"^invalid argument end: "):
        client.errors(now - 10, True)  # type: ignore[arg-type]
    with pytest.raises(plumlogs.InvalidArgument):
        emu.inject_status(200, count=0)
    assert emu.requests() == []  # every one of them was refused before any request


def test_no_credentials_is_auth_error_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLUM_USERNAME", raising=False)
    monkeypatch.delenv("PLUM_PASSWORD", raising=False)
    with pytest.raises(plumlogs.AuthError) as info:
        plumlogs.Client(base_url="http://127.0.0.1:9")
    assert info.value.message


def test_wrong_password_is_auth_error(fresh_emu: plumlogs.Emulator) -> None:
    client = plumlogs.Client(
        fresh_emu.username, "wrong", base_url=fresh_emu.base_url, backoff=(0.001, 0.01)
    )
    with pytest.raises(plumlogs.AuthError) as info:
        list(client.sessions(fresh_emu.now() - 3600, fresh_emu.now()))
    assert info.value.http_status == 401
    assert "Unauthorized" in info.value.message


def test_server_errors_after_retries_are_api_errors(fresh_emu: plumlogs.Emulator) -> None:
    client = make_client(fresh_emu, max_retries=2)
    fresh_emu.inject_status(503, count=3)
    with pytest.raises(plumlogs.ApiError) as info:
        client.call_logs(fresh_emu.now() - 3600, fresh_emu.now()).collect()
    assert not isinstance(info.value, plumlogs.AuthError)
    assert info.value.http_status == 503
    assert len(fresh_emu.requests()) == 3  # the first try and two retries
    # A listing is done after its error: iterating again yields nothing.


def test_failure_bodies_as_the_docs_print_them_still_give_the_message(
    fresh_emu: plumlogs.Emulator,
) -> None:
    # The docs' JSON failure body has a trailing comma: invalid JSON, yet the
    # server's message is what the exception carries.
    client = make_client(fresh_emu, max_retries=1)
    fresh_emu.inject_documented_failure(503, count=2)
    with pytest.raises(plumlogs.ApiError) as info:
        client.sessions(fresh_emu.now() - 3600, fresh_emu.now()).collect()
    assert (info.value.http_status, info.value.message) == (
        503,
        "Service temporarily unavailable (emulated HTTP 503)",
    )
    fresh_emu.inject_documented_failure(403)
    with pytest.raises(plumlogs.AuthError) as auth:
        client.errors(fresh_emu.now() - 3600, fresh_emu.now()).collect()
    assert auth.value.http_status == 403
    assert "emulated HTTP 403" in auth.value.message
    with pytest.raises(plumlogs.InvalidArgument):
        fresh_emu.inject_documented_failure(42)


@pytest.mark.parametrize("fault", ["drop", "truncated", "malformed"])
def test_broken_transport_after_retries(fresh_emu: plumlogs.Emulator, fault: str) -> None:
    client = make_client(fresh_emu, max_retries=1)
    getattr(fresh_emu, f"inject_{fault}")(count=2)
    # A day (one walk): an hour of a US night may hold no lines at all.
    listing = client.sessions(fresh_emu.now() - 86400, fresh_emu.now())
    with pytest.raises(plumlogs.TransportError) as info:
        next(iter(listing))
    assert info.value.message
    with pytest.raises(StopIteration):
        next(listing)  # after an error the listing is finished
    assert len(list(listing)) > 0  # iterated again, it is fetched afresh


def test_a_deadline_bounds_a_call_with_its_retries(fresh_emu: plumlogs.Emulator) -> None:
    import time

    client = plumlogs.Client(
        fresh_emu.username,
        fresh_emu.password,
        base_url=fresh_emu.base_url,
        timeout=1.0,
        max_retries=10,
        backoff=(0.001, 0.01),
        deadline=1.5,
    )
    fresh_emu.inject_slow(3000, count=20)
    t = time.monotonic()
    with pytest.raises(plumlogs.TransportError, match=r"1\.5s deadline"):
        client.sessions(fresh_emu.now() - 3600, fresh_emu.now()).collect()
    # Ten retries of a 1 s timeout would take over ten seconds.
    assert time.monotonic() - t < 4.0
    fresh_emu.clear_faults()
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(plumlogs.InvalidArgument, match="deadline"):
            plumlogs.Client("u", "p", base_url=fresh_emu.base_url, deadline=bad)


def test_one_transient_fault_is_retried(fresh_emu: plumlogs.Emulator) -> None:
    client = make_client(fresh_emu, max_retries=2)
    fresh_emu.inject_drop(count=1)
    fresh_emu.inject_status(500, count=1)
    got = client.sessions(fresh_emu.now() - 7200, fresh_emu.now()).collect()
    assert len(fresh_emu.requests()) >= 3
    assert got == make_client(fresh_emu).sessions(fresh_emu.now() - 7200, fresh_emu.now()).collect()


def test_connection_refused_is_transport_error() -> None:
    with socket.socket() as s:  # a port that is certainly closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = plumlogs.Client("u", "p", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(plumlogs.TransportError):
        client.call_log(1)


def test_unknown_log_id_is_api_error(client: plumlogs.Client) -> None:
    with pytest.raises(plumlogs.ApiError) as info:
        client.call_log(123)
    assert info.value.http_status == 404
    with pytest.raises(plumlogs.InvalidArgument):
        client.call_log(0)
    # Out of range or not an integer: InvalidArgument naming the argument, never an
    # OverflowError or TypeError that names none (issue 17).
    for bad in (-1, 2**70, "abc", 1.5, True):
        with pytest.raises(plumlogs.InvalidArgument) as arg:
            client.call_log(bad)  # type: ignore[arg-type]
        assert arg.value.field == "log_id", arg.value
        assert arg.value.code == "INVALID_ARGUMENT", arg.value


def test_big_texts_report_the_same_lines_as_small_ones() -> None:
    # Over 4 MB the text is parsed in chunks on several threads: line numbers and
    # offsets must still count from the start of the whole text.
    lines = [SESSION_LINE] * 45_000
    bad = [7, 20_001, 44_999]  # 1-based
    for n in bad:
        lines[n - 1] = f"broken line {n}"
    lines[30_000] = "   "  # blank lines are skipped, in any chunk
    lines[30_001] = LOCAL
    text = "\n".join(lines)
    assert len(text) > 4 << 20
    res = plumlogs.parse_sessions(text, strict=False)
    assert len(res.records) == 45_000 - len(bad) - 1
    # line index 30_001, less the two bad lines and the blank one before it
    assert res.records[30_001 - 3].kind == "local"
    assert res.records[30_001 - 4].kind == "inbound"
    assert res.records[-1] == plumlogs.parse_session_line(SESSION_LINE)
    assert [(p.line, p.input) for p in res.problems] == [(n, f"broken line {n}") for n in bad]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    assert [p.offset for p in res.problems] == [
        starts[n - 1] + p.column - 1 for n, p in zip(bad, res.problems)
    ]
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions(text.encode())
    assert info.value.line == 7
    lines[6] = SESSION_LINE
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions("\n".join(lines))
    assert info.value.line == 20_001
    ok = plumlogs.parse_sessions("\n".join([SESSION_LINE, LOCAL] * 20_000))
    assert [r.kind for r in ok[:4]] == ["inbound", "local", "inbound", "local"]
    assert len(ok) == 40_000
