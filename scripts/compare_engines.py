"""plumlogs against polars and DuckDB on the same call-shaped session lines.

Not a test: a measurement, run by hand on a release build of the Python package
(``pip install ./bindings-python``) with ``polars``, ``duckdb`` and ``pyarrow``
installed beside it::

    python scripts/compare_engines.py              # 1,000,000 lines, ~121 MB
    python scripts/compare_engines.py --lines 100000 --rounds 3   # a quick run

Each engine turns the same bytes into a DataFrame of the nine call fields, typed:
``kind``, ``ani``, ``channel`` (integer), ``timestamp`` (a timezone-aware instant),
``dnis``, ``session_id``, ``call_start`` and ``call_end`` (instants) and
``duration`` (seconds of the ``H:MM:SS`` call length):

- plumlogs: ``plumlogs.parse_sessions(data).to_polars()``, then the nine columns;
- polars: ``read_csv`` of one column -> ``str.extract_groups(regex)`` ->
  ``str.strptime`` / casts;
- DuckDB: ``read_csv`` of one column -> ``regexp_extract`` -> ``strptime`` / casts,
  fetched as a polars DataFrame (``.pl()``).

Before timing, the results are compared on a sample of rows (every field, the
instants as UNIX seconds); any disagreement stops the script. Then each round times
every engine once, in turn, and the median of the per-round ratios to plumlogs is
printed (the machine may be shared: only ratios measured in one run mean anything).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

FIELDS = [
    "kind",
    "ani",
    "channel",
    "timestamp",
    "dnis",
    "session_id",
    "call_start",
    "call_end",
    "duration",
]

# One call line, as the session service writes it; the same pattern for both peers.
CALL_LINE = (
    r"^([a-z]+)\s+(\S+)\s+(\d+)\s+\[([^\]]+)\]\s+(\S+)\s+(\S+;\d+;\d+)\s+"
    r"(\d+)\s+(\d+)\s+(\d+):(\d\d):(\d\d)\s*$"
)
GROUPS = ["kind", "ani", "channel", "ts", "dnis", "sid", "start", "end", "h", "m", "s"]
STRPTIME = "%d/%b/%Y:%H:%M:%S %z"


def generate(n: int) -> bytes:
    """`n` call lines (inbound/outbound/transfer, no `local` lines): the call-lines
    corpus of ``bindings-python/bench/bench_parse.py --calls-only``, ~117 bytes each."""
    path = Path(__file__).resolve().parent.parent / "bindings-python" / "bench" / "bench_parse.py"
    spec = importlib.util.spec_from_file_location("bench_parse", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the corpus generator {path}")
    bench_parse = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_parse)
    return bench_parse.generate(n, calls_only=True).encode()


def run_plumlogs(data: bytes, _path: str) -> Any:
    import plumlogs

    return plumlogs.parse_sessions(data).to_polars().select(FIELDS)


def run_plumlogs_plain(data: bytes, _path: str) -> Any:
    # Without the analyst columns `to_polars()` adds by default (local time, the
    # session id's parts): only the parsed fields, as the other engines make them.
    import plumlogs

    return plumlogs.parse_sessions(data).to_polars(derived=False).select(FIELDS)


def run_polars(data: bytes, _path: str) -> Any:
    import polars as pl

    lines = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        new_columns=["line"],
        separator="\x01",
        quote_char=None,
        schema_overrides={"line": pl.String},
    )
    g = pl.col("line").str.extract_groups(CALL_LINE).struct
    utc = pl.Datetime("us", "UTC")

    def instant(group: str) -> pl.Expr:
        return pl.from_epoch(g.field(group).cast(pl.Int64), "s").dt.replace_time_zone("UTC")

    return lines.select(
        g.field("1").alias("kind"),
        g.field("2").alias("ani"),
        g.field("3").cast(pl.UInt32).alias("channel"),
        g.field("4").str.strptime(utc, STRPTIME).alias("timestamp"),
        g.field("5").alias("dnis"),
        g.field("6").alias("session_id"),
        instant("7").alias("call_start"),
        instant("8").alias("call_end"),
        (
            g.field("9").cast(pl.UInt64) * 3600
            + g.field("10").cast(pl.UInt64) * 60
            + g.field("11").cast(pl.UInt64)
        ).alias("duration"),
    )


def run_duckdb(_data: bytes, path: str) -> Any:
    import duckdb

    pattern = CALL_LINE.replace("'", "''")
    names = ", ".join(f"'{g}'" for g in GROUPS)
    sql = f"""
        WITH lines AS (
            SELECT regexp_extract(line, '{pattern}', [{names}]) AS g
            FROM read_csv('{path}', columns = {{'line': 'VARCHAR'}}, header = false,
                          delim = '\\x01', quote = '', escape = '', auto_detect = false)
        )
        SELECT g.kind AS kind, g.ani AS ani, CAST(g.channel AS UINTEGER) AS channel,
               strptime(g.ts, '{STRPTIME}') AS timestamp,
               g.dnis AS dnis, g.sid AS session_id,
               to_timestamp(CAST(g.start AS BIGINT)) AS call_start,
               to_timestamp(CAST(g."end" AS BIGINT)) AS call_end,
               CAST(g.h AS UBIGINT) * 3600 + CAST(g.m AS UBIGINT) * 60 + CAST(g.s AS UBIGINT)
                   AS duration
        FROM lines
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con.sql(sql).pl()


ENGINES: list[tuple[str, Callable[[bytes, str], Any]]] = [
    ("plumlogs parse_sessions().to_polars()", run_plumlogs),
    ("plumlogs ....to_polars(derived=False)", run_plumlogs_plain),
    ("polars read_csv + extract_groups + strptime", run_polars),
    ("DuckDB read_csv + regexp_extract + strptime", run_duckdb),
]


def comparable(df: Any, rows: list[int]) -> list[tuple[Any, ...]]:
    """The sample rows with every instant as UNIX seconds, every number a Python int."""
    import polars as pl

    instants = ["timestamp", "call_start", "call_end"]
    df = df.with_columns([pl.col(c).dt.epoch("s") for c in instants]).with_columns(
        pl.col("channel").cast(pl.Int64), pl.col("duration").cast(pl.Int64)
    )
    sample = df.select(FIELDS)[rows]
    return [tuple(r) for r in sample.iter_rows()]


def check_agreement(data: bytes, path: str, lines: int) -> None:
    r = random.Random(1)
    rows = sorted({0, lines - 1, *(r.randrange(lines) for _ in range(2000))})
    results = {}
    for name, run in ENGINES:
        df = run(data, path)
        if df.height != lines:
            sys.exit(f"{name}: {df.height} rows, want {lines}")
        if df.columns != FIELDS:
            sys.exit(f"{name}: columns {df.columns}, want {FIELDS}")
        for c in FIELDS:
            if df[c].null_count():
                sys.exit(f"{name}: {df[c].null_count()} nulls in {c}")
        ts = df.schema["timestamp"]
        if getattr(ts, "time_zone", None) is None:
            sys.exit(f"{name}: timestamp is {ts}, not timezone-aware")
        results[name] = comparable(df, rows)
    first, *others = ENGINES
    for name, _ in others:
        for row, a, b in zip(rows, results[first[0]], results[name]):
            if a != b:
                sys.exit(f"row {row}: {first[0]} gives {a}, {name} gives {b}")
    print(f"agreement: {len(rows)} sample rows, every field equal across the engines")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if not 1 <= args.lines <= 50_000_000:
        ap.error("--lines must be between 1 and 50000000")
    if not 1 <= args.rounds <= 100:
        ap.error("--rounds must be between 1 and 100")

    import duckdb
    import polars as pl

    import plumlogs

    data = generate(args.lines)
    fd, path = tempfile.mkstemp(suffix=".log")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        print(
            f"{args.lines} call lines, {len(data) / 1e6:.0f} MB; plumlogs {plumlogs.__version__}, "
            f"polars {pl.__version__}, duckdb {duckdb.__version__}; {os.cpu_count()} cores"
        )
        check_agreement(data, path, args.lines)
        times: dict[str, list[float]] = {name: [] for name, _ in ENGINES}
        for _ in range(args.rounds):
            for name, run in ENGINES:
                t0 = time.perf_counter()
                run(data, path)
                times[name].append(time.perf_counter() - t0)
    finally:
        Path(path).unlink()

    base = ENGINES[0][0]
    print(f"{'engine':48} {'median s':>9} {'vs plumlogs (median of rounds, min..max)':>42}")
    for name, _ in ENGINES:
        ratios = sorted(t / b for t, b in zip(times[name], times[base]))
        print(
            f"{name:48} {statistics.median(times[name]):9.3f} "
            f"{statistics.median(ratios):9.2f}x ({ratios[0]:.2f}..{ratios[-1]:.2f})"
        )


if __name__ == "__main__":
    main()
