"""Paths and open files as parse inputs; the file's name in every error; a file's
name given as text is told so."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

import plumlogs
from conftest import CALL_LOG, ERROR_LINE, LOCAL_LINE, SESSION_LINE

SESSIONS = "\n".join([SESSION_LINE, LOCAL_LINE]) + "\n"
BAD = SESSIONS + "inbound 7185551234 3 [03/Bob/2017:14:38:30 -0500] x 1;2;3 1 2 00:00:01\n"


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    (tmp_path / "sessions.log").write_text(SESSIONS)
    (tmp_path / "errors.log").write_bytes(ERROR_LINE.encode())
    (tmp_path / "call.log").write_text(CALL_LOG)
    (tmp_path / "bad.log").write_text(BAD)
    return tmp_path


def test_paths_and_open_files_parse_like_their_text(logs: Path) -> None:
    want = plumlogs.parse_sessions(SESSIONS)
    path = logs / "sessions.log"
    assert plumlogs.parse_sessions(path) == want
    with path.open("rb") as f:
        assert plumlogs.parse_sessions(f) == want
    with path.open(encoding="utf-8") as f:
        assert plumlogs.parse_sessions(f) == want
    assert plumlogs.parse_sessions(io.StringIO(SESSIONS)) == want
    assert plumlogs.parse_sessions(io.BytesIO(SESSIONS.encode())) == want
    assert plumlogs.parse_errors(logs / "errors.log")[0].message.startswith("ReferenceError")
    assert len(plumlogs.parse_call_log(logs / "call.log")) == 3
    assert len(plumlogs.parse_sessions(path, strict=False).records) == 2


def test_errors_in_a_file_name_it(logs: Path) -> None:
    path = logs / "bad.log"
    with pytest.raises(plumlogs.ParseError) as e:
        plumlogs.parse_sessions(path)
    err = e.value
    assert err.path == str(path)
    assert str(err).startswith(f"{path}: parse error: line 3, column ")
    assert (err.line, err.kind) == (3, "bad_month")
    assert pickle.loads(pickle.dumps(err)).path == str(path)
    with path.open("rb") as f, pytest.raises(plumlogs.ParseError) as e2:
        plumlogs.parse_sessions(f)
    assert e2.value.path == str(path)
    res = plumlogs.parse_sessions(path, strict=False)
    assert [p.path for p in res.problems] == [str(path)]
    assert str(res.problems[0]).startswith(str(path))
    # Text given as such names no file.
    with pytest.raises(plumlogs.ParseError) as e3:
        plumlogs.parse_sessions(BAD)
    assert e3.value.path is None
    assert str(e3.value).startswith("parse error: line 3")
    # An in-memory file has no name to give.
    with pytest.raises(plumlogs.ParseError) as e4:
        plumlogs.parse_sessions(io.StringIO(BAD))
    assert e4.value.path is None


def test_a_missing_file_is_pythons_own_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.log"):
        plumlogs.parse_sessions(tmp_path / "nope.log")


def test_a_file_name_given_as_text_is_told_so() -> None:
    for name in ("sessions.log", "logs/errors.txt", b"sessions.log"):
        with pytest.raises(plumlogs.InvalidArgument) as e:
            plumlogs.parse_sessions(name)
        assert e.value.field == "text"
        assert "looks like a file name, not log text" in str(e.value)
        assert "pathlib.Path" in str(e.value)
    # A line that is simply bad is still a ParseError.
    with pytest.raises(plumlogs.ParseError):
        plumlogs.parse_sessions("inbound")


def test_other_inputs_are_a_type_error_naming_what_is_accepted() -> None:
    with pytest.raises(TypeError, match=r"str, bytes, a path .* or an open file, not int"):
        plumlogs.parse_errors(42)  # type: ignore[call-overload]

    class Odd:
        def read(self) -> int:
            return 3

    with pytest.raises(TypeError, match=r"read\(\) returned int"):
        plumlogs.parse_call_log(Odd())  # type: ignore[call-overload]


def test_decode_response_reads_files_too(tmp_path: Path) -> None:
    body = tmp_path / "page.json"
    body.write_text('{"status": "success", "error": "", "result": {"sessions": [')
    with pytest.raises(plumlogs.ParseError) as e:
        plumlogs.decode_response(body, "sessions")
    assert e.value.path == str(body)
    assert str(e.value).startswith(f"{body}: ")
    assert e.value.line == 1
