"""A ``success`` answer that also carries an error text ("partial results: database
timeout", issue 12) reaches a Python user as a ``plumlogs.ServerWarning`` (a
``UserWarning``) through :func:`warnings.warn`, not dropped. A one-route loopback
server plays Plum."""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import plumlogs

LINE = (
    "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 "
    "200035;003;1509734279 1509734310 1509734339 00:00:29"
)
WARNING = "partial results: database timeout"


class _Plum(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the stdlib's name (an override, which pep8-naming allows)
        body = json.dumps(
            {
                "status": "success",
                "error": WARNING,
                "result": {"total_sessions": 1, "sessions": [LINE]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plum)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(base_url: str) -> plumlogs.Client:
    return plumlogs.Client("u", "p", base_url=base_url, max_retries=0, timeout=10)


def test_a_success_with_an_error_text_is_a_server_warning(base_url: str) -> None:
    now = int(time.time())
    with pytest.warns(plumlogs.ServerWarning, match="partial results: database timeout") as got:
        recs = list(_client(base_url).sessions(now - 3600, now))
    assert [r.kind for r in recs] == ["inbound"]
    assert len(got) == 1
    assert issubclass(got[0].category, UserWarning)
    with pytest.warns(plumlogs.ServerWarning):
        assert len(_client(base_url).sessions(now - 3600, now).collect()) == 1


def test_a_warning_filter_can_make_it_an_error(base_url: str) -> None:
    now = int(time.time())
    with warnings.catch_warnings():
        warnings.simplefilter("error", plumlogs.ServerWarning)
        with pytest.raises(plumlogs.ServerWarning):
            list(_client(base_url).sessions(now - 3600, now))


def test_decode_response_warns_too() -> None:
    body = json.dumps(
        {"status": "success", "error": WARNING, "result": {"total_sessions": 1, "sessions": [LINE]}}
    )
    with pytest.warns(plumlogs.ServerWarning, match="partial results"):
        assert len(plumlogs.decode_response(body, "sessions")) == 1
