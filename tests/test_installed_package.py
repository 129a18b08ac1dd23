"""A wheel installed outside the checkout works: the built-in rules travel with it.

Builds a wheel from a copy of the sources (so the checkout gets no build/ or
egg-info), installs it into a fresh virtual environment in a temporary folder
and runs the `malkoll` that the install made, from a folder far from the
checkout, with nothing pointing back at it. The environment sees the system's
packages (--system-site-packages), so nothing is downloaded; the wheel itself
is installed over whatever malkoll the system has, and the test checks that the
code and the rules it runs are the venv's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.engine import load_rules

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "reports" / "aspudden_vb2025_export.docx"
# What the build reads: the project's files, the package and the rules.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "checker", "rules")
# Building, creating the venv and installing take a few seconds; this only guards a hang.
HANG_GUARD = 300


def _clean_env(tmp: Path) -> dict[str, str]:
    """The environment without anything that leads back to the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MALKOLL_RULES", "PYTHONHOME")}
    env["MALKOLL_CACHE_DIR"] = str(tmp / "cache")
    env["PIP_NO_INDEX"] = "1"
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the venv's bin folder, its environment, a work folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("installed")
    env = _clean_env(tmp)
    source = tmp / "source"
    for name in BUILD_INPUTS:
        origin = REPO / name
        if not origin.exists():
            continue
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    dist = tmp / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-w", str(dist), str(source)], tmp, env)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("malkoll-*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp, env)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # The system's pip, run by the venv's python, installs into the venv.
    put = _run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
                "--ignore-installed", str(wheels[0])], tmp, env)
    assert put.returncode == 0, put.stdout + put.stderr
    work = tmp / "work"
    work.mkdir()
    shutil.copy2(SAMPLE, work / SAMPLE.name)
    return bin_dir, env, work


def test_installed_package_is_the_wheel_and_carries_its_rules(installed: tuple[Path, dict[str, str], Path]) -> None:
    bin_dir, env, work = installed
    probe = _run([str(bin_dir / "python"), "-c",
                  "import checker, checker.engine as e; print(checker.__file__); print(e.default_rules_dir())"],
                 work, env)
    assert probe.returncode == 0, probe.stderr
    package_file, rules_dir = (Path(line) for line in probe.stdout.splitlines())
    venv = bin_dir.parent
    assert package_file.is_relative_to(venv), package_file
    assert rules_dir.is_relative_to(venv), rules_dir
    assert sorted(p.name for p in rules_dir.glob("*.rules")) == sorted(p.name for p in (REPO / "rules").glob("*.rules"))


def test_installed_malkoll_rules_lists_the_catalog(installed: tuple[Path, dict[str, str], Path]) -> None:
    bin_dir, env, work = installed
    listed = _run([str(bin_dir / "malkoll"), "rules", "--no-color"], work, env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for rule in load_rules([REPO / "rules"]).rules:
        assert rule.id in listed.stdout


def test_installed_malkoll_check_finds_what_the_checkout_finds(installed: tuple[Path, dict[str, str], Path]) -> None:
    bin_dir, env, work = installed
    command = ["check", "--format", "json", SAMPLE.name]
    checked = _run([str(bin_dir / "malkoll"), *command], work, env)
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    from_checkout = _run([sys.executable, "-m", "checker", *command], work, {**env, "PYTHONPATH": str(REPO)})
    assert from_checkout.returncode == checked.returncode, from_checkout.stderr
    report = json.loads(checked.stdout)
    assert report["files"][0]["findings"], "the sample report has findings with the built-in rules"
    assert report == json.loads(from_checkout.stdout)
