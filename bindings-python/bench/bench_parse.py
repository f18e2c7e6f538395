"""Bulk session parsing: plumlogs against what a notebook user writes by hand.

Not a test: a measurement. Run it on a release build (``pip install ./bindings-python``
builds one), e.g. ``python bindings-python/bench/bench_parse.py --lines 200000``.

Everything is measured in the same run: each round times the baseline and then each
case, and the median of the per-round ratios is printed (wall clock, and CPU time of
the whole process, which counts every thread). Only the ratios mean anything.

- baseline: ``re`` per line + ``datetime.strptime``, a dict per line with every field
  typed (ints, an aware datetime, seconds of the call length).
- parse_sessions -> objects: ``list(plumlogs.parse_sessions(text))``, a record object
  per line (attribute values are built when read).
- parse_sessions + read 3 fields: the same, reading ``kind``, ``timestamp`` and
  ``duration`` of every record (the cost the lazy getters defer).
- to_arrow: ``plumlogs.parse_sessions(text).to_arrow()``, text to a ``pyarrow.Table``.
- to_polars / to_pandas: the same to a ``polars`` / ``pandas`` DataFrame (for the
  record: pandas builds a Python ``str`` per text value).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import time
from typing import Any, Callable

import plumlogs

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TAGS = [
    ("menu", lambda r: f"main menu selection: {r.randint(1, 9)}"),
    ("account", lambda r: f"account [{r.randint(10**7, 10**8 - 1)}] found: status=active"),
    ("auth", lambda r: f"authorization code A{r.randint(100000, 999999)} [approved]"),
    ("transfer", lambda r: f"target sip:agent{r.randint(1, 40)}@pbx.example: queue=billing"),
]


def generate(n: int, seed: int = 7, calls_only: bool = False) -> str:
    """A realistic mix: each call's line, its fetchurl line, then 0-3 `<log>` lines;
    with `calls_only`, the call lines alone (where the grammar works hardest)."""
    r = random.Random(seed)
    out: list[str] = []
    t = 1_700_000_000
    while len(out) < n:
        t += r.randint(1, 90)
        kind = r.choices(["inbound", "outbound", "transfer"], [70, 25, 5])[0]
        ani = f"{r.randint(2, 9)}{r.randint(0, 10**9 - 1):09d}"
        dnis = (
            "dialer@acme.example" if kind == "outbound" else r.choice(["6177123000", "8009957586"])
        )
        chan = r.randint(0, 47)
        off = r.choice([-300, -240, -360])
        local = dt.datetime.fromtimestamp(t, dt.timezone(dt.timedelta(minutes=off)))
        zone = f"{'-' if off < 0 else '+'}{abs(off) // 60:02d}{abs(off) % 60:02d}"
        stamp = f"[{local.day:02d}/{MONTHS[local.month - 1]}/{local.year}:{local:%H:%M:%S} {zone}]"
        sid = f"{r.choice(['200035', '300024', '400050'])};{chan:03d};{t - r.randint(5, 40)}"
        length = r.randint(3, 900)
        head = f"{ani} {chan} {stamp} {dnis} {sid}"
        hms = f"{length // 3600:02d}:{length % 3600 // 60:02d}:{length % 60:02d}"
        out.append(f"{kind} {head} {t} {t + length} {hms}")
        if calls_only:
            continue
        out.append(f"local {head} fetchurl: https://ivr.acme.example/vxml/main.php?c={chan}")
        for _ in range(r.randint(0, 3)):
            label, msg = r.choice(TAGS)
            out.append(f"local {head} {label}: {msg(r)}")
    return "\n".join(out[:n]) + "\n"


LINE = re.compile(
    r"^(\w+)\s+(\S+)\s+(\d+)\s+\[([^\]]+)\]\s+(\S+)\s+(\S+)\s+"
    r"(?:(\d+)\s+(\d+)\s+(\d+):(\d\d):(\d\d)|([^:\s]+):\s*(.*))$"
)


def baseline(text: str) -> list[dict[str, Any]]:
    """What a notebook user writes: a regex per line, strptime, a dict per record."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = LINE.match(line)
        if m is None:
            raise ValueError(f"bad line: {line!r}")
        g = m.groups()
        call = g[6] is not None
        out.append(
            {
                "kind": g[0],
                "ani": g[1],
                "channel": int(g[2]),
                "timestamp": dt.datetime.strptime(g[3].replace("\\/", "/"), "%d/%b/%Y:%H:%M:%S %z"),
                "dnis": g[4],
                "session_id": g[5],
                "call_start": int(g[6]) if call else None,
                "call_end": int(g[7]) if call else None,
                "duration": int(g[8]) * 3600 + int(g[9]) * 60 + int(g[10]) if call else None,
                "label": None if call else g[11],
                "message": None if call else g[12],
            }
        )
    return out


def timed(f: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of the whole process, result)."""
    c0, t0 = time.process_time(), time.perf_counter()
    result = f()
    return time.perf_counter() - t0, time.process_time() - c0, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--calls-only",
        action="store_true",
        help="call lines only (inbound/outbound/transfer), no `local` lines",
    )
    args = ap.parse_args()
    if not 1 <= args.lines <= 50_000_000:
        ap.error("--lines must be between 1 and 50000000")
    if not 1 <= args.rounds <= 100:
        ap.error("--rounds must be between 1 and 100")
    if args.lines < 100_000:
        print("note: the issue's target is measured on >= 100k lines", file=sys.stderr)

    text = generate(args.lines, calls_only=args.calls_only)
    n_local = sum(1 for line in text.splitlines() if line.startswith("local"))
    print(
        f"{args.lines} session lines ({n_local} local), "
        f"{len(text) / 1e6:.1f} MB, {args.rounds} rounds"
    )

    def objects() -> list[Any]:
        return list(plumlogs.parse_sessions(text))

    def read3() -> int:
        n = 0
        for r in plumlogs.parse_sessions(text):
            _ = (r.kind, r.timestamp, r.duration)
            n += 1
        return n

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("parse_sessions (lazy RecordList)", lambda: plumlogs.parse_sessions(text)),
        ("list(parse_sessions) -> objects", objects),
        ("... and read 3 fields of each", read3),
    ]
    try:
        import pyarrow  # noqa: F401

        cases.append(
            ("parse_sessions(...).to_arrow()", lambda: plumlogs.parse_sessions(text).to_arrow())
        )
    except ImportError:
        print("pyarrow not installed: to_arrow not measured")
    for module, method in (("polars", "to_polars"), ("pandas", "to_pandas")):
        try:
            __import__(module)
        except ImportError:
            print(f"{module} not installed: {method} not measured")
            continue
        cases.append(
            (
                f"parse_sessions(...).{method}()",
                lambda m=method: getattr(plumlogs.parse_sessions(text), m)(),
            )
        )

    # Same answers, or the comparison means nothing.
    base = baseline(text)
    objs = objects()
    assert len(objs) == len(base)
    for i in (0, 1, len(base) // 2, len(base) - 1):
        d, o = base[i], objs[i]
        assert (d["kind"], d["ani"], d["timestamp"], d["duration"], d["message"]) == (
            o.kind,
            o.ani,
            o.timestamp,
            o.duration,
            o.message,
        ), i
    del base, objs

    # The machine is shared: each round times the baseline and then every case, so
    # a ratio compares runs made moments apart; the median round is reported.
    walls: dict[str, list[float]] = {"baseline": []}
    ratios: dict[str, list[float]] = {}
    cpu_ratios: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        bw, bc, _ = timed(lambda: baseline(text))
        walls["baseline"].append(bw)
        for name, f in cases:
            w, c, _ = timed(f)
            walls.setdefault(name, []).append(w)
            ratios.setdefault(name, []).append(bw / w)
            cpu_ratios.setdefault(name, []).append(bc / max(c, 1e-9))

    med = statistics.median
    print(f"{'':36} {'median s':>9} {'ns/line':>8} {'x baseline':>11} {'(CPU time)':>11}")
    print(
        f"{'baseline: re + strptime -> dicts':36} {med(walls['baseline']):9.4f} "
        f"{med(walls['baseline']) / args.lines * 1e9:8.0f} {'1.0x':>11}"
    )
    for name, _ in cases:
        print(
            f"{name:36} {med(walls[name]):9.4f} {med(walls[name]) / args.lines * 1e9:8.0f} "
            f"{med(ratios[name]):10.1f}x {med(cpu_ratios[name]):10.1f}x"
        )


if __name__ == "__main__":
    main()
