"""`make` stops at once, with a clear message, when Python 3.11+ or npm is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")

pytestmark = [
    pytest.mark.e2e,  # runs make in a subprocess
    pytest.mark.skipif(MAKE is None, reason="make is not installed"),
]


def run_prereqs(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run `make prereqs` with only `bin_dir` on PATH."""
    assert MAKE is not None
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "prereqs"],
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def link(bin_dir: Path, name: str, target: str) -> None:
    """Put `target` on the fake PATH as `name`."""
    (bin_dir / name).symlink_to(target)


def test_missing_npm_is_named(tmp_path: Path) -> None:
    link(tmp_path, "python3", sys.executable)
    result = run_prereqs(tmp_path)
    assert result.returncode != 0
    assert "npm not found" in result.stderr
    assert "install Node.js" in result.stderr


def test_missing_python_is_named(tmp_path: Path) -> None:
    result = run_prereqs(tmp_path)
    assert result.returncode != 0
    assert "python3 not found" in result.stderr
    assert "Python 3.11" in result.stderr


def test_old_python_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.9.2" && exit 0\nexit 1\n')
    fake.chmod(0o755)
    result = run_prereqs(tmp_path)
    assert result.returncode != 0
    assert "Python 3.11 or newer is needed, found Python 3.9.2" in result.stderr


def test_all_present_passes(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    link(tmp_path, "python3", sys.executable)
    link(tmp_path, "npm", npm)
    result = run_prereqs(tmp_path)
    assert result.returncode == 0, result.stderr
