"""The type stubs match the runtime (mypy.stubtest), and every public name is documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import plumlogs


def test_stubtest() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed")
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "plumlogs"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in plumlogs.__all__:
        obj = getattr(plumlogs, name)
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if not inspect.getdoc(member):
                    missing.append(f"{name}.{attr}")
    assert missing == []


def test_dir_shows_exactly_the_public_names() -> None:
    public = {n for n in dir(plumlogs) if not n.startswith("_")}
    assert public == set(plumlogs.__all__)
