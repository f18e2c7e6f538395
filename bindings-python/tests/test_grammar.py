"""Grammar rules every binding shares: bounded error excerpts, `error` refused as a
session kind, a UTF-8 BOM skipped, and the chunked parse of big texts."""

from __future__ import annotations

import pytest

import plumlogs
from conftest import ERROR_LINE, LOCAL_LINE, SESSION_LINE


def test_a_huge_bad_line_gives_a_bounded_message() -> None:
    huge = SESSION_LINE + " " + "x" * 5_000_000
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_session_line(huge)
    e = info.value
    assert (e.line, e.column, e.kind) == (1, len(SESSION_LINE) + 2, "trailing_input")
    assert len(str(e)) < 400
    assert f"({len(huge)} bytes)" in str(e)
    assert len(e.input) <= 202
    assert e.input.startswith("…")
    assert e.input.endswith("…")
    # The whole text as one bad line, in bulk and leniently: bounded too.
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions(f"{SESSION_LINE}\n{huge}\n")
    assert info.value.line == 2
    assert len(str(info.value)) < 400
    res = plumlogs.parse_sessions(huge.encode(), strict=False)
    assert len(res.problems) == 1
    assert len(str(res.problems[0])) < 400


def test_error_lines_are_refused_as_sessions_with_a_hint() -> None:
    with pytest.raises(plumlogs.ParseError) as info:
        plumlogs.parse_sessions(f"{ERROR_LINE}\n{ERROR_LINE}\n")
    e = info.value
    assert (e.line, e.column, e.kind) == (1, 1, "error_line_in_sessions")
    assert "error-log line" in str(e)
    assert "parse_errors" in str(e)
    assert len(plumlogs.parse_errors(f"{ERROR_LINE}\n{ERROR_LINE}\n")) == 2


def test_a_byte_order_mark_is_skipped() -> None:
    text = f"\ufeff{SESSION_LINE}\n{LOCAL_LINE}\n"
    assert [r.kind for r in plumlogs.parse_sessions(text)] == ["inbound", "local"]
    assert len(plumlogs.parse_sessions(text.encode("utf-8"))) == 2
    assert len(plumlogs.parse_errors(f"\ufeff{ERROR_LINE}")) == 1


def test_big_call_logs_and_error_texts_parse_in_chunks_like_small_ones() -> None:
    entry = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered"
    text = "\n".join([entry, "  more", "and more"] * 60_000)
    assert len(text) > 4 << 20
    entries = plumlogs.parse_call_log(text)
    assert len(entries) == 60_000
    assert all(e.message == "call answered\n  more\nand more" for e in entries[::997])
    errors = "\n".join([ERROR_LINE] * 40_000 + ["error broken"])
    assert len(errors) > 4 << 20
    res = plumlogs.parse_errors(errors, strict=False)
    assert len(res.records) == 40_000
    assert [p.line for p in res.problems] == [40_001]
