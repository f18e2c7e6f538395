"""Records: attributes, datetimes, repr, equality, argument types."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

import plumlogs
from conftest import CALL_LOG, ERROR_LINE, LOCAL_LINE, SESSION_LINE


def test_session_record_attributes() -> None:
    r = plumlogs.parse_session_line(SESSION_LINE)
    assert (r.kind, r.ani, r.channel, r.dnis) == ("inbound", "7185551234", 3, "6177123000")
    assert r.session_id == "200035;003;1509734279"
    assert r.session_id_parts == plumlogs.SessionIdParts("200035", 3, 1509734279)
    assert (r.call_start, r.call_end, r.duration) == (1509734310, 1509734339, 29)
    assert r.label is None
    assert r.message is None
    ts = r.timestamp
    assert ts == dt.datetime(2017, 11, 3, 14, 38, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert ts.utcoffset() == dt.timedelta(hours=-5)


def test_local_line_has_label_and_message() -> None:
    r = plumlogs.parse_session_line(LOCAL_LINE)
    assert r.kind == "local"
    assert (r.label, r.message) == ("menu", "caller pressed [1]: billing")
    assert (r.call_start, r.call_end, r.duration) == (None, None, None)
    d = r.to_dict()
    assert d["label"] == "menu"
    assert d["call_start"] is None
    assert d["timestamp"] == "2017-11-03T14:38:31-05:00"


def test_error_record() -> None:
    r = plumlogs.parse_error_line(ERROR_LINE)
    assert r.session_id == "000020;000;1483968637"  # leading zeros kept
    assert r.session_id_parts == ("000020", 0, 1483968637)
    assert r.message == "ReferenceError: d is not defined line 1"
    assert r.timestamp.utcoffset() == dt.timedelta(hours=-4)


def test_call_log_entries_and_unknown_zone() -> None:
    entries = plumlogs.parse_call_log(CALL_LOG)
    assert len(entries) == 3
    first, second, third = entries
    assert first.timestamp == dt.datetime(2002, 8, 28, 14, 16, 58, tzinfo=dt.timezone.utc)
    assert (first.zone, first.module, first.level, first.message) == (
        "EDT",
        "tel",
        "EVENT",
        "call answered",
    )
    assert second.message == "first line\n  second line"
    # An unknown zone abbreviation: the wall-clock reading, naive.
    assert third.zone == "CEST"
    assert third.timestamp.tzinfo is None
    assert third.to_dict()["timestamp"] == "2002-08-28T10:17:02"


def test_repr_is_readable_and_str_is_the_line() -> None:
    r = plumlogs.parse_session_line(SESSION_LINE)
    assert repr(r) == (
        "SessionRecord(kind='inbound', ani='7185551234', channel=3, "
        "timestamp='2017-11-03T14:38:30-05:00', dnis='6177123000', "
        "session_id='200035;003;1509734279', call_start=1509734310, call_end=1509734339, "
        "duration=29)"
    )
    assert str(r) == SESSION_LINE
    assert repr(plumlogs.parse_session_line(LOCAL_LINE)).endswith(
        "label='menu', message='caller pressed [1]: billing')"
    )
    assert repr(plumlogs.parse_error_line(ERROR_LINE)).startswith(
        "ErrorRecord(ani='6175551234', channel=0,"
    )
    assert repr(plumlogs.parse_call_log(CALL_LOG)[0]).startswith(
        "CallLogEntry(timestamp='2002-08-28T10:16:58-04:00'"
    )
    many = plumlogs.parse_sessions("\n".join([SESSION_LINE] * 5))
    assert repr(many).startswith("RecordList[SessionRecord](5 records: [SessionRecord(")
    assert repr(many).endswith("... 2 more])")


def test_equality_and_hash() -> None:
    a = plumlogs.parse_session_line(SESSION_LINE)
    b = plumlogs.parse_sessions(b"\n\n" + SESSION_LINE.encode() + b"\r\n")[0]
    c = plumlogs.parse_session_line(LOCAL_LINE)
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert a != SESSION_LINE  # different types are never equal
    assert len({a, b, c}) == 2


def test_record_list_is_a_sequence() -> None:
    text = "\n".join([SESSION_LINE, LOCAL_LINE, SESSION_LINE])
    lst = plumlogs.parse_sessions(text)
    assert len(lst) == 3
    first, local = lst[0], lst[1]
    assert first in lst
    assert local in lst
    assert plumlogs.parse_session_line(SESSION_LINE) in lst
    assert "inbound" not in lst
    assert plumlogs.parse_error_line(ERROR_LINE) not in lst
    assert (lst.index(first), lst.index(local), lst.index(first, 1), lst.index(first, -1)) == (
        0,
        1,
        2,
        2,
    )
    assert (lst.count(first), lst.count(local), lst.count(None)) == (2, 1, 0)
    with pytest.raises(ValueError, match="not in the RecordList"):
        lst.index(local, 2)
    assert [r.kind for r in reversed(lst)] == ["inbound", "local", "inbound"]
    assert lst[-1] == lst[0]
    assert [r.kind for r in lst[1:]] == ["local", "inbound"]
    assert [r.kind for r in lst[::-2]] == ["inbound", "inbound"]
    assert lst == lst.to_list() == list(lst)
    assert lst == plumlogs.parse_sessions(text)
    with pytest.raises(IndexError):
        lst[3]
    with pytest.raises(TypeError, match="indices must be integers or slices"):
        lst["0"]  # type: ignore[call-overload]


def test_records_outlive_their_list_and_input() -> None:
    text = "\n".join([SESSION_LINE] * 3)
    first = plumlogs.parse_sessions(text)[0]
    del text
    assert first.ani == "7185551234"


def test_leap_second_is_the_next_instant() -> None:
    r = plumlogs.parse_session_line(SESSION_LINE.replace("14:38:30", "23:59:60"))
    assert r.timestamp == dt.datetime(
        2017, 11, 4, 0, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))
    )
    assert (
        r.to_dict()["timestamp"] == "2017-11-03T23:59:60-05:00"
    )  # the canonical form keeps it as written


def test_split_session_id() -> None:
    assert plumlogs.split_session_id("300024;026;1509673023") == ("300024", 26, 1509673023)
    assert plumlogs.split_session_id("no id here") is None


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: plumlogs.parse_session_line(42), "line"),
        (lambda: plumlogs.parse_error_line(None), "line"),
        (lambda: plumlogs.parse_sessions(["a"]), "text"),
        (lambda: plumlogs.parse_errors(3.5), "text"),
        (lambda: plumlogs.parse_call_log(bytearray(b"x")), "text"),
        (lambda: plumlogs.parse_sessions("", strict="no"), "strict"),
        (lambda: plumlogs.decode_response(1, "sessions"), "body"),
        (lambda: plumlogs.decode_response("{}", 1), "service"),
    ],
)
def test_wrong_argument_type_names_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match=f"'{name}'"):
        call()


def test_records_are_immutable() -> None:
    r = plumlogs.parse_session_line(SESSION_LINE)
    with pytest.raises(AttributeError):
        r.kind = "outbound"  # type: ignore[misc]


def test_exceptions_pickle_with_their_attributes() -> None:
    e = plumlogs.ParseError("boom", line=3, column=4, offset=10, input="x", reason="r", kind="k")
    back = pickle.loads(pickle.dumps(e))
    assert (type(back), str(back), back.line, back.column, back.input, back.kind) == (
        plumlogs.ParseError,
        "boom",
        3,
        4,
        "x",
        "k",
    )
    a = pickle.loads(pickle.dumps(plumlogs.ApiError("nope", http_status=503)))
    assert (a.message, a.http_status) == ("nope", 503)
