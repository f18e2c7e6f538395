"""What the client tells about its requests: `logging.getLogger("plumlogs")`,
`on_retry`, `last_response`; and corporate networks (`proxy=`, `ca_bundle=`),
and profiles (`Client.from_profile`)."""

from __future__ import annotations

import base64
import logging
import os
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import plumlogs
from conftest import make_client

HOUR = 3600


def test_request_lines_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    secret = "Zq-s3cret-not-in-any-line"
    with plumlogs.Emulator(seed=7, calls_per_day=300, password=secret) as emu:
        client = make_client(emu)
        with caplog.at_level(logging.DEBUG, logger="plumlogs"):
            client.sessions(emu.now() - 6 * HOUR, emu.now(), page_size=5, limit=12).collect()
    lines = [r for r in caplog.records if r.name == "plumlogs.http"]
    gets = [r for r in lines if r.getMessage().startswith("GET /ws/calls/sessions/")]
    assert len(gets) == 3, [r.getMessage() for r in lines]
    assert all(r.levelno == logging.INFO for r in gets)
    assert "-> 200 (attempt 1, " in gets[0].getMessage()
    assert "offset=0&limit=5" in gets[0].getMessage()
    assert "offset=10&limit=2" in gets[2].getMessage()
    assert any(r.levelno == logging.DEBUG and "content-type" in r.getMessage() for r in lines)
    text = "\n".join(r.getMessage() for r in caplog.records)
    basic = base64.b64encode(f"{emu.username}:{secret}".encode()).decode()
    assert secret not in text
    assert basic not in text
    assert "authorization" not in text.lower()


def test_no_lines_when_the_logger_is_off(
    fresh_emu: plumlogs.Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="plumlogs"):
        make_client(fresh_emu).errors("1h").collect()
    assert [r for r in caplog.records if r.name.startswith("plumlogs")] == []


def test_retries_call_on_retry_and_log_a_warning(
    fresh_emu: plumlogs.Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[plumlogs.RetryEvent] = []
    client = make_client(fresh_emu, on_retry=events.append)
    fresh_emu.inject_status(503, count=2, retry_after=0, path_prefix="/ws/calls/errors")
    with caplog.at_level(logging.WARNING, logger="plumlogs"):
        got = client.errors("1h").collect()
    assert isinstance(got, plumlogs.RecordList)
    assert [e.response.attempt for e in events] == [1, 2]
    assert all(e.response.status == 503 for e in events)
    assert all(isinstance(e.wait, float) and e.wait >= 0 for e in events)
    assert "503" in events[0].error
    warned = [
        r for r in caplog.records if r.name == "plumlogs.http" and "retrying" in r.getMessage()
    ]
    assert len(warned) == 2


def test_a_failing_on_retry_does_not_break_the_listing(fresh_emu: plumlogs.Emulator) -> None:
    def boom(event: plumlogs.RetryEvent) -> None:
        raise RuntimeError("callback failed")

    seen: list[Any] = []
    old = __import__("sys").unraisablehook
    __import__("sys").unraisablehook = seen.append
    try:
        client = make_client(fresh_emu, on_retry=boom)
        fresh_emu.inject_status(500, count=1, path_prefix="/ws/calls/errors")
        client.errors("1h").collect()
    finally:
        __import__("sys").unraisablehook = old
    assert len(seen) == 1
    assert "callback failed" in str(seen[0].exc_value)


def test_last_response(client: plumlogs.Client, fresh_emu: plumlogs.Emulator) -> None:
    # A day has several pages at any hour (six night hours may hold fewer than 100 lines).
    listing = client.sessions("24h", page_size=100)
    assert listing.last_response is None
    next(listing)
    meta = listing.last_response
    assert meta is not None
    assert (meta.method, meta.status, meta.attempt) == ("GET", 200, 1)
    assert meta.path.startswith("/ws/calls/sessions/")
    assert "offset=0&limit=100" in meta.path
    assert meta.bytes > 0
    assert meta.elapsed >= 0
    assert meta.headers["content-type"].startswith("application/json")
    list(listing)
    assert listing.last_response is not None
    assert listing.last_response.path != meta.path  # the last page's


def serve(handle: Any) -> Iterator[tuple[socket.socket, threading.Event]]:
    """A loopback listener calling ``handle(conn)`` on a thread per connection, until
    the generator is closed: yields the listening socket and the stop flag."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn, stop), daemon=True).start()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield server, stop
    stop.set()
    t.join(5)
    server.close()


# --- proxies ------------------------------------------------------------------


@pytest.fixture
def connect_proxy() -> Iterator[tuple[str, list[str]]]:
    """An HTTP CONNECT proxy on loopback: its URL and the request lines it saw."""
    seen: list[str] = []

    def pipe(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
        socks = [a, b]
        while not stop.is_set():
            ready, _, _ = select.select(socks, [], [], 0.2)
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            seen.append(line)
            method, target, _ = line.split(" ")
            if method != "CONNECT":
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=5) as up:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pipe(conn, up, stop)

    for server, _ in serve(handle):
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen


def test_an_explicit_proxy_carries_the_requests(
    fresh_emu: plumlogs.Emulator, connect_proxy: tuple[str, list[str]]
) -> None:
    url, seen = connect_proxy
    direct = make_client(fresh_emu).errors(fresh_emu.now() - 6 * HOUR, fresh_emu.now()).collect()
    via = make_client(fresh_emu, proxy=url).errors(fresh_emu.now() - 6 * HOUR, fresh_emu.now())
    assert via.collect() == direct
    hostport = fresh_emu.base_url.removeprefix("http://")
    assert seen
    assert all(line == f"CONNECT {hostport} HTTP/1.1" for line in seen), seen


def test_a_bad_proxy_url_is_an_argument_error_without_its_password(
    fresh_emu: plumlogs.Emulator,
) -> None:
    with pytest.raises(plumlogs.InvalidArgument) as info:
        make_client(fresh_emu, proxy="http://me:hunter2@[::1")
    assert "hunter2" not in str(info.value)
    dead = socket.create_server(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    client = make_client(fresh_emu, proxy=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(plumlogs.TransportError):
        client.errors("1h").collect()


def test_a_ca_bundle_that_cannot_be_read_is_refused_before_any_request(
    fresh_emu: plumlogs.Emulator, tmp_path: Path
) -> None:
    with pytest.raises(plumlogs.PlumError, match=r"nope\.pem"):
        make_client(fresh_emu, ca_bundle=tmp_path / "nope.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(plumlogs.PlumError, match=r"junk\.pem"):
        make_client(fresh_emu, ca_bundle=str(junk))
    assert fresh_emu.requests() == []


@pytest.fixture
def tls_front(fresh_emu: plumlogs.Emulator, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A TLS server on loopback in front of the emulator, its certificate from a CA
    made here: its base URL and the CA's PEM file."""
    trustme = pytest.importorskip("trustme", reason="trustme is not installed")
    import ssl

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    ca_pem = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    port = int(fresh_emu.base_url.rsplit(":", 1)[1])

    def handle(raw: socket.socket, stop: threading.Event) -> None:
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # a client that does not trust the CA hangs up here
            return
        with conn, socket.create_connection(("127.0.0.1", port), timeout=5) as up:
            conn.settimeout(0.2)
            up.settimeout(0.2)
            while not stop.is_set():
                for a, b in ((conn, up), (up, conn)):
                    try:
                        data = a.recv(65536)
                    except (TimeoutError, socket.timeout, ssl.SSLWantReadError):
                        continue
                    except OSError:
                        return
                    if not data:
                        return
                    b.sendall(data)

    for server, _ in serve(handle):
        yield f"https://127.0.0.1:{server.getsockname()[1]}", ca_pem


def test_a_ca_bundle_trusts_a_private_ca(
    fresh_emu: plumlogs.Emulator, tls_front: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_pem = tls_front
    monkeypatch.delenv("PLUM_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    want = make_client(fresh_emu).errors("6h").collect()

    def over_tls(**kw: Any) -> plumlogs.Client:
        return plumlogs.Client(
            fresh_emu.username, fresh_emu.password, base_url=url, max_retries=0, **kw
        )

    assert over_tls(ca_bundle=ca_pem).errors("6h").collect() == want
    # The built-in roots do not know the test's CA.
    with pytest.raises(plumlogs.TransportError):
        over_tls().errors("6h").collect()
    # PLUM_CA_BUNDLE names the same file.
    monkeypatch.setenv("PLUM_CA_BUNDLE", str(ca_pem))
    assert over_tls().errors("6h").collect() == want


def test_tls_roots_platform_trusts_the_systems_store(
    fresh_emu: plumlogs.Emulator,
    tls_front: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url, ca_pem = tls_front
    for var in ("PLUM_CA_BUNDLE", "SSL_CERT_FILE", "PLUM_TLS_ROOTS"):
        monkeypatch.delenv(var, raising=False)
    # On Linux the platform store is what SSL_CERT_DIR names (read by the platform
    # verifier alone, never as a bundle).
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "ca.pem").write_bytes(ca_pem.read_bytes())
    monkeypatch.setenv("SSL_CERT_DIR", str(certs))
    want = make_client(fresh_emu).errors("6h").collect()

    def over_tls(**kw: Any) -> plumlogs.Client:
        return plumlogs.Client(
            fresh_emu.username, fresh_emu.password, base_url=url, max_retries=0, **kw
        )

    assert over_tls(tls_roots="platform").errors("6h").collect() == want
    for refused in (over_tls(), over_tls(tls_roots="builtin")):
        with pytest.raises(plumlogs.TransportError):
            refused.errors("6h").collect()
    monkeypatch.setenv("PLUM_TLS_ROOTS", "platform")
    assert over_tls().errors("6h").collect() == want
    with pytest.raises(plumlogs.InvalidArgument, match="tls_roots"):
        over_tls(tls_roots="system")
    with pytest.raises(plumlogs.InvalidArgument, match="tls_roots"):
        over_tls(tls_roots="platform", ca_bundle=ca_pem)


# --- profiles -----------------------------------------------------------------


def test_from_profile(
    fresh_emu: plumlogs.Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'default_profile = "emu"\n'
        "[profiles.emu]\n"
        f'username = "{fresh_emu.username}"\n'
        f'base_url = "{fresh_emu.base_url}"\n'
        'password_env = "PLUM_EMU_PASSWORD"\n'
        "[profiles.other]\n"
        'username = "someone@example.com"\n'
    )
    monkeypatch.setenv("PLUM_CONFIG", str(config))
    monkeypatch.delenv("PLUM_PROFILE", raising=False)
    monkeypatch.delenv("PLUM_EMU_PASSWORD", raising=False)
    monkeypatch.delenv("PLUM_BASE_URL", raising=False)
    with pytest.raises(plumlogs.AuthError, match="PLUM_EMU_PASSWORD"):
        plumlogs.Client.from_profile()
    monkeypatch.setenv("PLUM_EMU_PASSWORD", fresh_emu.password)
    client = plumlogs.Client.from_profile(format="xml")
    assert (client.username, client.base_url, client.format) == (
        fresh_emu.username,
        fresh_emu.base_url,
        "xml",
    )
    fresh_emu.clear_requests()
    client.errors("6h").collect()
    assert fresh_emu.requests()[-1]["headers"]["accept"] == "application/xml"
    assert fresh_emu.requests()[-1]["username"] == fresh_emu.username
    assert plumlogs.AsyncClient.from_profile("emu").base_url == fresh_emu.base_url
    # Core's one order, as in the CLI: base_url= first, then PLUM_BASE_URL, then the
    # profile's.
    monkeypatch.setenv("PLUM_BASE_URL", "http://127.0.0.1:9/elsewhere")
    assert plumlogs.Client.from_profile().base_url == "http://127.0.0.1:9/elsewhere"
    given = plumlogs.Client.from_profile(base_url=fresh_emu.base_url)
    assert given.base_url == fresh_emu.base_url
    monkeypatch.setenv("PLUM_BASE_URL", "")
    assert plumlogs.Client.from_profile().base_url == fresh_emu.base_url
    with pytest.raises(plumlogs.InvalidArgument) as info:
        plumlogs.Client.from_profile("nope")
    assert info.value.field == "profile"
    assert "emu, other" in str(info.value)


# --- PLUM_LOG -----------------------------------------------------------------


def run_with_plum_log(emu: plumlogs.Emulator, value: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import plumlogs, sys\n"
        "c = plumlogs.Client(sys.argv[1], sys.argv[2], base_url=sys.argv[3])\n"
        "c.errors('1h').collect()\n"
    )
    env = {**os.environ, "PLUM_LOG": value}
    return subprocess.run(
        [sys.executable, "-c", code, emu.username, emu.password, emu.base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plum_log_writes_the_lines_on_stderr(fresh_emu: plumlogs.Emulator) -> None:
    info = run_with_plum_log(fresh_emu, "info")
    assert info.returncode == 0, info.stderr
    assert "plumlogs.http: INFO: GET /ws/calls/errors/" in info.stderr
    assert "content-type" not in info.stderr  # headers are debug
    debug = run_with_plum_log(fresh_emu, "DEBUG")
    assert "plumlogs.http: DEBUG:   " in debug.stderr
    assert "content-type" in debug.stderr
    assert "authorization" not in (debug.stderr + info.stderr).lower()
    off = run_with_plum_log(fresh_emu, "off")
    assert off.stderr == ""


def test_a_bad_plum_log_is_a_warning_not_a_failed_import(fresh_emu: plumlogs.Emulator) -> None:
    loud = run_with_plum_log(fresh_emu, "loud")
    assert loud.returncode == 0, loud.stderr
    assert 'PLUM_LOG="loud": use off, error, warn, info or debug' in loud.stderr
    assert "RuntimeWarning" in loud.stderr
