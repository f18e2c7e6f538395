"""What a user does first with the installed wheel: parse, Arrow, the client against the emulator.

Run by scripts/test-dist.sh in a fresh venv that installed plumlogs from dist/ only.
"""

import sys
from pathlib import Path

import pyarrow as pa

import plumlogs

LINE = (
    "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 "
    "200035;003;1509734279 1509734310 1509734339 00:00:29"
)

# The package comes from the wheel in the venv, not from a source tree.
where = Path(plumlogs.__file__).resolve()
assert "site-packages" in where.parts, where
assert not (Path.cwd() / "plumlogs").exists()

records = plumlogs.parse_sessions((LINE + "\n") * 3)
assert len(records) == 3, len(records)
assert records[0].duration == 29 and records[0].ani == "7185551234"

table = records.to_arrow()
assert isinstance(table, pa.Table), type(table)
assert table.num_rows == 3
assert table.column("ani").to_pylist() == ["7185551234"] * 3
assert table.column("duration").to_pylist() == [29, 29, 29]

try:
    plumlogs.parse_sessions(LINE + "\ngarbage\n")
except plumlogs.ParseError as err:
    assert (err.line, err.input) == (2, "garbage"), (err.line, err.input)
else:
    raise AssertionError("a bad line parsed")

with plumlogs.Emulator(seed=7, calls_per_day=200) as emu:
    client = plumlogs.Client(emu.username, emu.password, base_url=emu.base_url)
    end = emu.now()
    start = end - 86400
    sessions = client.sessions(start, end, limit=50).to_arrow()
    assert sessions.num_rows == 50, sessions.num_rows
    calls = list(client.call_logs(start, end, limit=3))
    assert len(calls) == 3, len(calls)
    log = client.call_log(calls[0].log_id)
    assert log.log_id == calls[0].log_id and len(log.entries) > 0

print(f"python smoke ok: plumlogs from {where.parent}, {sessions.num_rows} sessions over loopback")
sys.exit(0)
