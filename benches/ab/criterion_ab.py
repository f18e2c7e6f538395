#!/usr/bin/env python3
"""Interleaved A/B of two builds of one criterion bench binary, as ratios in one run.

The machine these benches run on is shared and noisy, so a figure from one run
compared with a figure from another means little. This runs the two binaries
(usually one built at an older commit, one at the current tree) in alternating
rounds, A B, B A, A B, ... on the same CPU, so slow spells fall on both sides, and
reports per benchmark the median of the per-round ratios new / old and their spread.
Both binaries must build the same input (same corpus generator and seed), which is
the case when the bench file is unchanged between the two commits.

Build the two binaries (the path is printed as "Executable ... (target/...)"):

    git worktree add --detach ../old OLD_COMMIT
    (cd ../old && cargo bench -p plumlogs-benches --bench sessions_page --no-run)
    cargo bench -p plumlogs-benches --bench sessions_page --no-run

then run (pinning to one CPU with taskset when --cpu is given):

    python3 benches/ab/criterion_ab.py --old ../old/target/release/deps/sessions_page-HASH \\
        --new target/release/deps/sessions_page-HASH --rounds 10 --cpu 0 sessions_page

Each binary is run with criterion's --bench and a short warm-up and measurement
time (--warm-up / --measure, seconds), with CRITERION_HOME a scratch directory per
side (so neither writes into a target/criterion). From each run's sample.json it
takes the median and the minimum time per iteration; the ratios of both are
reported (the minimum is the least disturbed by other processes on a loaded
machine). A ratio above 1.00 means the new build is slower. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

LINE = re.compile(r"^test (\S+) \.\.\. bench:\s+([\d,]+) ns/iter \(\+/- ([\d,]+)\)")


def run_once(binary: Path, args: argparse.Namespace, home: Path) -> dict[str, dict[str, float]]:
    """One run of `binary`: per benchmark, the median and the minimum time per
    iteration over criterion's samples (ns), read from its sample.json."""
    cmd = [
        str(binary),
        "--bench",
        "--output-format",
        "bencher",
        "--noplot",
        "--warm-up-time",
        str(args.warm_up),
        "--measurement-time",
        str(args.measure),
        "--sample-size",
        str(args.samples),
    ]
    if args.filter:
        cmd.append(args.filter)
    if args.cpu is not None:
        cmd = ["taskset", "-c", args.cpu, *cmd]
    env = dict(os.environ, CRITERION_HOME=str(home))
    out = subprocess.run(
        cmd, cwd=home, env=env, capture_output=True, text=True, check=True, timeout=args.timeout
    ).stdout
    found = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        name = m.group(1)
        sample = json.loads(home.joinpath(*name.split("/"), "new", "sample.json").read_text())
        per_iter = sorted(t / n for t, n in zip(sample["times"], sample["iters"]))
        found[name] = {"median": statistics.median(per_iter), "min": per_iter[0]}
    if not found:
        sys.exit(f"{binary}: no bencher lines in its output:\n{out[-2000:]}")
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="the baseline bench binary")
    p.add_argument("--new", required=True, help="the bench binary under test")
    p.add_argument("--rounds", type=int, default=10, help="A/B rounds (1..200)")
    p.add_argument("--cpu", help="pin both to this CPU list (taskset -c)")
    p.add_argument("--warm-up", type=float, default=1.0, help="criterion warm-up, s")
    p.add_argument("--measure", type=float, default=3.0, help="criterion measurement, s")
    p.add_argument("--samples", type=int, default=20, help="criterion sample size (10..)")
    p.add_argument("--timeout", type=float, default=300.0, help="per binary run, s")
    p.add_argument("filter", nargs="?", help="criterion benchmark name filter")
    args = p.parse_args()
    if not 1 <= args.rounds <= 200:
        p.error(f"--rounds must be in 1..200, got {args.rounds}")
    if args.samples < 10:
        p.error(f"--samples must be at least 10 (criterion's minimum), got {args.samples}")
    # Each side runs in its own scratch directory: make the paths absolute first.
    args.old, args.new = Path(args.old).resolve(), Path(args.new).resolve()
    for side in (args.old, args.new):
        if not (side.is_file() and os.access(side, os.X_OK)):
            p.error(f"not an executable file: {side}")

    # stat -> benchmark -> per-round values
    stats = ("median", "min")
    old_t: dict[str, dict[str, list[float]]] = {k: {} for k in stats}
    new_t: dict[str, dict[str, list[float]]] = {k: {} for k in stats}
    ratios: dict[str, dict[str, list[float]]] = {k: {} for k in stats}
    with tempfile.TemporaryDirectory(prefix="criterion-ab-") as scratch:
        dirs = {}
        for side in ("old", "new"):
            dirs[side] = Path(scratch) / side
            dirs[side].mkdir()
        for r in range(args.rounds):
            # Alternate which side goes first, so a trend in load favours neither.
            order = ("old", "new") if r % 2 == 0 else ("new", "old")
            got = {side: run_once(getattr(args, side), args, dirs[side]) for side in order}
            if got["old"].keys() != got["new"].keys():
                sys.exit(f"the two binaries ran different benchmarks: {got}")
            line = []
            for name in got["old"]:
                for k in stats:
                    o, n = got["old"][name][k], got["new"][name][k]
                    old_t[k].setdefault(name, []).append(o)
                    new_t[k].setdefault(name, []).append(n)
                    ratios[k].setdefault(name, []).append(n / o)
                m = ratios["median"][name][-1]
                line.append(f"{name.split('/')[-1]} {m:.3f} (min {ratios['min'][name][-1]:.3f})")
            head = f"round {r + 1:2}/{args.rounds} ({order[0]} first)"
            print(f"{head}: {', '.join(line)}", flush=True)

    print()
    print(f"{args.rounds} interleaved rounds, cpu {args.cpu or 'any'}; ratio = new / old time")
    for k, what in (
        ("median", "median time per iteration over criterion's samples"),
        ("min", "fastest sample per iteration (least disturbed by other load)"),
    ):
        print(f"\nper run: {what}")
        print(
            f"{'benchmark':32} {'old med ns':>12} {'new med ns':>12} "
            f"{'ratio med':>9} {'min':>6} {'max':>6} {'q1':>6} {'q3':>6}"
        )
        for name, rs in ratios[k].items():
            rs_sorted = sorted(rs)
            q = statistics.quantiles(rs_sorted, n=4) if len(rs) >= 2 else [rs[0]] * 3
            print(
                f"{name:32} {statistics.median(old_t[k][name]):12.0f} "
                f"{statistics.median(new_t[k][name]):12.0f} {statistics.median(rs):9.3f} "
                f"{rs_sorted[0]:6.3f} {rs_sorted[-1]:6.3f} {q[0]:6.3f} {q[2]:6.3f}"
            )


if __name__ == "__main__":
    main()
