"""The shared vectors of core/tests/vectors: every language must agree field for field."""

from __future__ import annotations

import json

import pytest

import plumlogs
from conftest import jsonl, vector


@pytest.mark.parametrize("as_bytes", [False, True])
def test_session_lines(as_bytes: bool) -> None:
    path = vector("lines", "sessions.txt")
    text = path.read_bytes() if as_bytes else path.read_text()
    records = plumlogs.parse_sessions(text)
    assert [r.to_dict() for r in records] == jsonl("lines", "sessions.expected.jsonl")
    assert records.to_dicts() == jsonl("lines", "sessions.expected.jsonl")


def test_error_lines() -> None:
    records = plumlogs.parse_errors(vector("lines", "errors.txt").read_text())
    assert [r.to_dict() for r in records] == jsonl("lines", "errors.expected.jsonl")


def test_single_lines_match_bulk() -> None:
    for line, want in zip(
        vector("lines", "sessions.txt").read_text().splitlines(),
        jsonl("lines", "sessions.expected.jsonl"),
    ):
        assert plumlogs.parse_session_line(line).to_dict() == want
        # str() writes the line back in the service's format.
        assert str(plumlogs.parse_session_line(line)) == line
    for line, want in zip(
        vector("lines", "errors.txt").read_text().splitlines(),
        jsonl("lines", "errors.expected.jsonl"),
    ):
        assert plumlogs.parse_error_line(line.encode()).to_dict() == want


@pytest.mark.parametrize("wire", ["json", "xml"])
def test_decode_sessions_and_errors(wire: str) -> None:
    sessions = plumlogs.decode_response(
        vector("docs", f"sessions.canonical.{wire}").read_bytes(), "sessions"
    )
    assert sessions.to_dicts() == jsonl("lines", "sessions.expected.jsonl")
    assert sessions.total == 3 or sessions.total is None
    errors = plumlogs.decode_response(
        vector("docs", f"errors.canonical.{wire}").read_text(), "errors"
    )
    assert errors.to_dicts() == jsonl("lines", "errors.expected.jsonl")


@pytest.mark.parametrize("wire", ["json", "xml"])
def test_decode_logs(wire: str) -> None:
    logs = plumlogs.decode_response(vector("docs", f"logs.{wire}").read_bytes(), "logs")
    assert logs.record_type == "CallSummary"
    assert logs.to_dicts() == jsonl("docs", "logs.expected.jsonl")
    assert logs.total == 1234
    first = logs[0]
    assert (first.log_id, first.type, first.start) == (421752831, "inbound", 1510159657)


@pytest.mark.parametrize(
    "name", ["failure.json", "failure.xml", "sibling-failure-doubled-quotes.json"]
)
def test_decode_failures_surface_the_server_message(name: str) -> None:
    with pytest.raises(plumlogs.ApiError) as info:
        plumlogs.decode_response(vector("docs", name).read_bytes(), "sessions")
    assert info.value.message in (
        "Unauthorized access to sample service",
        '"Attempt to send to unsubscribed recipient"',
        "Attempt to send to unsubscribed recipient",
    )


@pytest.mark.parametrize("name", ["success-empty.json", "success-empty.xml"])
def test_decode_success_without_items(name: str) -> None:
    assert len(plumlogs.decode_response(vector("docs", name).read_bytes(), "sessions")) == 0


def test_decode_log_body() -> None:
    text = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered"
    log = plumlogs.decode_response(
        json.dumps({"status": "success", "error": "", "result": {"log": text}}), "log"
    )
    assert isinstance(log, plumlogs.CallLog)
    assert log.log_id is None
    assert log.text == text
    assert [e.message for e in log.entries] == ["call answered"]
