"""Every ```python block of README.md and bindings-python/README.md runs, against the
emulator, or is marked not to with its reason (``<!-- no-run: why -->`` on the line
above the fence). A README's blocks run in order in one namespace (the reader's
session); the blocks fenced ```python walkthrough are a notebook of their own, and
what they compute is checked."""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import plumlogs
from conftest import vector

ROOT = Path(__file__).resolve().parents[2]
READMES = {"root": ROOT / "README.md", "package": ROOT / "bindings-python" / "README.md"}
FENCE = re.compile(r"^```python((?: [\w-]+)*)\n(.*?)^```$", re.M | re.S)
NO_RUN = re.compile(r"<!-- no-run: (\S.*?) -->\n$")
# The credentials the client snippets use; a test emulator is started with them.
USER, PASSWORD = "me@example.com", "secret"


def snippets(key: str) -> list[dict[str, Any]]:
    text = READMES[key].read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        before = text[: m.start()]
        reason = NO_RUN.search(before)
        out.append(
            {
                "name": f"{READMES[key].relative_to(ROOT)}:{before.count(chr(10)) + 1}",
                "tags": m.group(1).split(),
                "code": m.group(2),
                "no_run": reason.group(1) if reason else None,
            }
        )
    return out


ALL = snippets("root") + snippets("package")
SINGLE = [s for s in ALL if "walkthrough" not in s["tags"]]
WALKTHROUGH = [s for s in ALL if "walkthrough" in s["tags"]]


def test_every_python_fence_is_seen_and_runs_or_says_why_not() -> None:
    for key, path in READMES.items():
        fences = re.findall(r"^```(?:python|py)\b.*$", path.read_text(encoding="utf-8"), re.M)
        assert len(fences) == len(snippets(key)), f"{path}: a python fence the test misses"
    assert len(WALKTHROUGH) >= 4
    assert any(s["no_run"] is None for s in SINGLE if s["name"].startswith("README.md"))
    for s in ALL:
        assert set(s["tags"]) <= {"walkthrough"}, s["name"]


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A working directory holding the files the snippets read, and the environment
    pointing the client at an emulator that takes the snippets' credentials."""
    (tmp_path / "sessions.log").write_bytes(vector("lines", "sessions.txt").read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with plumlogs.Emulator(seed=7, calls_per_day=300, username=USER, password=PASSWORD) as emu:
        monkeypatch.setenv("PLUM_USERNAME", USER)
        monkeypatch.setenv("PLUM_PASSWORD", PASSWORD)
        monkeypatch.setenv("PLUM_BASE_URL", emu.base_url)
        client = plumlogs.Client(base_url=emu.base_url)
        end = emu.now()
        start = end - 86400
        # What the prose around a snippet gives it: a window, a call summary.
        givens = {"start": start, "end": end, "summary": next(client.call_logs(start, end))}
        yield tmp_path, givens


def run(s: dict[str, Any], namespace: dict[str, Any]) -> None:
    # Top-level `await`/`async with` is allowed, as in a notebook cell (Jupyter runs
    # such a cell on its loop; here each such block gets a loop of its own).
    code = compile(s["code"], s["name"], "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))
    else:
        exec(code, namespace)


@pytest.mark.parametrize("key", list(READMES))
def test_snippets_run_in_order(key: str, sandbox: Any) -> None:
    # A README is read top to bottom: its blocks share one namespace, as in a session.
    _, givens = sandbox
    ns: dict[str, Any] = {"__name__": "__readme__", **givens}
    ran = 0
    for s in snippets(key):
        if "walkthrough" in s["tags"] or s["no_run"] is not None:
            continue
        run(s, ns)
        ran += 1
    assert ran >= 1


def test_walkthrough(sandbox: Any) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    # The plot cell needs matplotlib: scripts/test.sh installs it, so it is not skipped.
    tmp, _ = sandbox
    ns: dict[str, Any] = {"__name__": "__readme__"}
    for s in WALKTHROUGH:
        assert s["no_run"] is None, s["name"]
        run(s, ns)
    calls, tags, errors = ns["calls"], ns["tags"], ns["errors"]
    assert len(calls) > 7 * 1000  # a week of the emulator's default 2000 calls a day
    assert calls["session_id"].is_unique
    assert calls["duration"].dtype == pd.Int64Dtype()
    assert set(tags["kind"]) == {"local"}
    assert len(calls) + len(tags) == len(ns["sessions"])
    assert int(ns["per_hour"].sum()) == len(calls)
    assert 0 <= ns["busiest"] <= 23
    assert len(ns["joined"]) == len(errors) > 0
    assert ns["joined"]["kind"].notna().all()  # every error found its call
    assert int(ns["top"].sum()) <= len(errors)
    assert len(ns["top"]) >= 1
    assert (tmp / "calls_per_hour.png").stat().st_size > 1000
