"""Målkoll's benchmark: what checking costs next to merely reading the file.

    python -m tests.benchmark.run            # the full run (several minutes), writes results.json
    python -m tests.benchmark.run --quick    # a smoke run on tiny batches (seconds), writes nothing
    python -m tests.benchmark.run --markdown # also print the README's "Prestanda" tables

Everything is measured on one machine in one run, side by side, because the
targets are ratios (see issue 5):

* per document: (a) the floor — unzip and parse word/document.xml with lxml;
  (b) python-docx opening the document; (c) Målkoll reading and recognising
  structure; (d) the full check, (c) plus every default rule (loaded once);
  d/a, and the rules' share of (d);
* per PDF (issue 17): the floor — pypdfium2 opening the PDF and extracting
  each page's text (get_text_range), nothing more; Målkoll reading it (c) and
  checking it (d); and reading the .docx it was made from, for the PDF's cost
  beside the Word file's;
* batch: documents per second with `malkoll check --jobs 1/2/all`, and the
  peak memory of batches of 100 and 1000 documents;
* scaling: time and memory for 1×, 10× and 100× the goals;
* start-up: `malkoll check` of one file end to end against `python -c pass`,
  and the import time of what a check imports.

This is a script, not a test: nothing here asserts a time (tests must pass
on a slow shared machine). tests/benchmark/test_quick.py only checks that
the --quick run still works end to end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmark import corpus

REPO = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().with_name("results.json")

# The targets of issue 5, as ratios measured in the same run.
TARGET_D_OVER_A = 2.0
TARGET_RULE_SHARE = 0.10
TARGET_SCALE_100 = 110.0
TARGET_TWO_WORKERS = 1.7
TARGET_BATCH_MEMORY = 1.2
TARGET_IMPORT_SECONDS = 0.3


@dataclass(frozen=True)
class Settings:
    quick: bool
    ordinary: int  # documents in the per-document table
    rounds: int  # timing rounds per document (medians are reported)
    batches: tuple[int, int]  # the small and the large batch
    factors: tuple[int, ...]
    scale_states: tuple[str, ...]
    startup_runs: int
    repeats: int  # runs of each batch (the fastest is kept)
    pdfs: int  # PDFs in the per-PDF table (states export, print, scan in turn)

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, 2, 2, (2, 4), (1, 2), ("export",), 1, 1, 2)
        return cls(False, 9, 15, (100, 1000), (1, 10, 100), corpus.db.STATES, 7, 3, 9)


# --- small tools ---------------------------------------------------------------------


# In-process timings are the CPU time of this thread: on a shared machine the
# wall clock also counts whatever else runs, and the ratios would measure that.
clock = time.thread_time


def best_time(fn: Callable[[], object], rounds: int, *, cold: bool = True) -> float:
    """The best of `rounds` CPU times (as timeit advises: the others measure the machine's other work).

    cold: empty Målkoll's per-text caches first, so that a round costs what a
    document never seen before costs, not a repeat of the same text.
    """
    times = []
    for _ in range(rounds):
        if cold:
            clear_text_caches()
        started = clock()
        fn()
        times.append(clock() - started)
    return min(times)


def clear_text_caches() -> None:
    """Empty Målkoll's per-document text caches (read_report does this itself before each document)."""
    from checker.text import clear_document_caches

    clear_document_caches()


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


@dataclass
class Measured:
    seconds: float
    returncode: int
    tree_peak_mib: float  # sampled sum of RSS over the process tree
    max_rss_mib: float  # the largest single process (getrusage of a wrapper's children)


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_measured(command: Sequence[str], *, sample: bool = True, env: dict[str, str] | None = None) -> Measured:
    """Run `command` through a tiny wrapper; wall time, peak RSS of the tree and of its largest process."""
    started = time.perf_counter()
    wrapper = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=env,
    )
    peak = 0
    stop = threading.Event()

    def sampler() -> None:
        nonlocal peak
        while not stop.is_set():
            pids = _tree(wrapper.pid)[1:]  # not the wrapper itself
            peak = max(peak, sum(_rss_kib(p) for p in pids))
            stop.wait(0.02)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    out, _ = wrapper.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    if sample:
        thread.join()
    code, maxrss = (int(x) for x in out.split())
    return Measured(seconds, code, peak / 1024, maxrss / 1024)


def malkoll_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m checker` (never a pyenv shim)."""
    script = Path(sys.executable).with_name("malkoll")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "checker"]


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from importlib.metadata import version

    import docx  # noqa: F401 - only for its version
    import lxml.etree

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "python_docx": version("python-docx"),
        "pypdfium2": version("pypdfium2"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- (1) per document ---------------------------------------------------------------


def _floor(path: Path) -> object:
    with zipfile.ZipFile(path) as package:
        return _lxml().fromstring(package.read("word/document.xml"))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text_floor(path: Path) -> list[str]:
    """(a′) The floor plus the least any Python reader of the body does: every paragraph's text.

    lxml walks the elements in C; Python only touches each w:p once. Any reader
    that recognises structure does at least this much, so d/a can never be
    lower than a′/a: it shows how much of the 2× budget is left for the rest.
    """
    return ["".join(p.itertext(_W + "t")) for p in _floor(path).iter(_W + "p")]  # type: ignore[attr-defined]


def _lxml() -> Any:
    from lxml import etree

    return etree


def per_document(paths: Sequence[Path], plans: Sequence[corpus.DocPlan], rounds: int) -> list[dict[str, Any]]:
    import docx

    from checker.engine import check_report, default_rules_dir, load_rules
    from checker.reading.report import read_report

    rules = load_rules([default_rules_dir()]).filtered()
    rows = []
    for path, plan in zip(paths, plans):
        # Warm up every path once (first-use caches, imports), then interleave the
        # measurements round by round so that they share the machine's state.
        _floor(path), docx.Document(str(path)), check_report(read_report(path), rules)
        samples: dict[str, list[float]] = {"a": [], "a_text": [], "b": [], "c": [], "read": [], "rules": []}
        for _ in range(rounds):
            gc.collect()
            samples["a"].append(best_time(lambda: _floor(path), 1))  # noqa: B023 - called at once
            samples["a_text"].append(best_time(lambda: _text_floor(path), 1))  # noqa: B023
            samples["b"].append(best_time(lambda: docx.Document(str(path)), 1))  # noqa: B023
            samples["c"].append(best_time(lambda: read_report(path), 1))  # noqa: B023
            clear_text_caches()
            started = clock()
            report = read_report(path)
            between = clock()
            findings = check_report(report, rules)
            ended = clock()
            samples["read"].append(between - started)
            samples["rules"].append(ended - between)
        med = {key: min(values) for key, values in samples.items()}
        d_samples = [r + c for r, c in zip(samples["read"], samples["rules"])]
        d = min(d_samples)
        # The rules' share in the round that gave the best full check.
        share = samples["rules"][d_samples.index(d)] / d
        rows.append(
            {
                "document": path.name,
                "kind": plan.base,
                "state": plan.state,
                "kib": round(path.stat().st_size / 1024, 1),
                "goals": len(report.all_kf_mal()) + len(report.all_namndmal()) + len(report.all_enhetsmal())
                + len(report.inriktningsmal),
                "findings": len(findings),
                "a_floor_ms": med["a"] * 1000,
                "a_text_ms": med["a_text"] * 1000,
                "a_text_over_a": med["a_text"] / med["a"],
                "b_python_docx_ms": med["b"] * 1000,
                "c_read_ms": med["c"] * 1000,
                "d_check_ms": d * 1000,
                "rules_ms": med["rules"] * 1000,
                "d_over_a": d / med["a"],
                "rule_share": share,
            }
        )
    return rows


# --- (1b) per PDF --------------------------------------------------------------------


def _pdf_floor(path: Path) -> list[str]:
    """(p) The floor of reading a PDF: pypdfium2 opens it and extracts each page's text, nothing more.

    Any reader of the PDF's text does at least this (the text layer is where the
    words are); the layout it needs besides — positions, fonts, rulings — is
    what c/p shows the cost of.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def per_pdf(paths: Sequence[Path], plans: Sequence[corpus.DocPlan], twins: Sequence[Path],
            rounds: int) -> list[dict[str, Any]]:
    """Each PDF: the floor, Målkoll's read (c) and full check (d), and the read of the .docx it was made from."""
    from checker.engine import check_report, default_rules_dir, load_rules
    from checker.errors import ReadError
    from checker.reading.report import read_report

    rules = load_rules([default_rules_dir()]).filtered()
    rows = []
    for path, plan, twin in zip(paths, plans, twins):
        pages = len(_pdf_floor(path))
        row: dict[str, Any] = {"document": path.name, "kind": plan.base, "state": plan.state,
                               "kib": round(path.stat().st_size / 1024, 1), "pages": pages, "read_error": None}
        try:
            report = read_report(path)  # and the warm-up, as for a .docx
        except ReadError as error:
            # Said in the table rather than stopping the run: the floor is still worth knowing.
            row.update(floor_ms=best_time(lambda: _pdf_floor(path), rounds) * 1000, read_error=error.problem)  # noqa: B023
            rows.append(row)
            continue
        findings = check_report(report, rules)
        read_report(twin)
        samples: dict[str, list[float]] = {"floor": [], "c": [], "docx_c": [], "read": [], "rules": []}
        for _ in range(rounds):
            gc.collect()
            samples["floor"].append(best_time(lambda: _pdf_floor(path), 1))  # noqa: B023 - called at once
            samples["c"].append(best_time(lambda: read_report(path), 1))  # noqa: B023
            samples["docx_c"].append(best_time(lambda: read_report(twin), 1))  # noqa: B023
            clear_text_caches()
            started = clock()
            checked = read_report(path)
            between = clock()
            check_report(checked, rules)
            samples["read"].append(between - started)
            samples["rules"].append(clock() - between)
        best = {key: min(values) for key, values in samples.items()}
        d = min(r + c for r, c in zip(samples["read"], samples["rules"]))
        row.update(
            goals=len(report.all_kf_mal()) + len(report.all_namndmal()) + len(report.all_enhetsmal())
            + len(report.inriktningsmal),
            findings=len(findings),
            floor_ms=best["floor"] * 1000,
            c_read_ms=best["c"] * 1000,
            d_check_ms=d * 1000,
            c_over_floor=best["c"] / best["floor"],
            d_over_floor=d / best["floor"],
            docx_read_ms=best["docx_c"] * 1000,
            read_over_docx=best["c"] / best["docx_c"],
        )
        rows.append(row)
    return rows


# --- (2) batches --------------------------------------------------------------------


def _batch_dir(paths: Sequence[Path], size: int, root: Path) -> Path:
    """A folder of `size` documents (hard links into the cache, so nothing is copied)."""
    folder = root / f"batch-{size}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i, path in enumerate(paths[:size]):
        target = folder / f"{i:04d}_{path.name}"
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return folder


def compile_bytecode() -> None:
    """Write the package's bytecode, as installing it does (this checkout may run with
    PYTHONDONTWRITEBYTECODE, and then every start would compile Målkoll's modules anew)."""
    import compileall

    compileall.compile_dir(str(REPO / "checker"), quiet=1)


def batches(
    paths: Sequence[Path], sizes: tuple[int, int], work: Path, extra: Sequence[str] = (), repeats: int = 1
) -> dict[str, Any]:
    """docs/s and peak memory of `malkoll check DIR --jobs N` for the two batch sizes.

    Each run is repeated (interleaved) and the fastest kept, the highest peak
    memory: on a shared machine another process's work only ever slows a run down.
    """
    cores = len(os.sched_getaffinity(0))
    job_counts = sorted({1, 2, cores})
    small, large = sizes
    folders = {size: _batch_dir(paths, size, work) for size in sizes}
    command = malkoll_command()
    # One warm-up so that the per-user rule cache exists (as on any machine after the first run).
    subprocess.run([*command, "check", str(folders[small]), "-q", "--no-color", *extra], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    runs: dict[str, Measured] = {}
    for _ in range(repeats):
        for jobs in job_counts:
            for size in sizes:
                measured = run_measured(
                    [*command, "check", str(folders[size]), "-q", "--no-color", "--jobs", str(jobs), *extra]
                )
                best = runs.get(f"{jobs}:{size}")
                if best is not None:
                    measured = Measured(
                        min(best.seconds, measured.seconds), max(best.returncode, measured.returncode),
                        max(best.tree_peak_mib, measured.tree_peak_mib), max(best.max_rss_mib, measured.max_rss_mib),
                    )
                runs[f"{jobs}:{size}"] = measured
    rows = []
    for jobs in job_counts:
        s, l = runs[f"{jobs}:{small}"], runs[f"{jobs}:{large}"]
        # The marginal rate between the two batch sizes leaves out start-up and
        # worker spawning, which a larger batch pays only once.
        marginal = (large - small) / max(1e-9, l.seconds - s.seconds)
        rows.append(
            {
                "jobs": jobs,
                f"seconds_{small}": s.seconds,
                f"seconds_{large}": l.seconds,
                "docs_per_second": marginal,
                f"docs_per_second_incl_startup_{large}": large / l.seconds,
                f"tree_peak_mib_{small}": s.tree_peak_mib,
                f"tree_peak_mib_{large}": l.tree_peak_mib,
                f"max_rss_mib_{small}": s.max_rss_mib,
                f"max_rss_mib_{large}": l.max_rss_mib,
                "memory_ratio": l.tree_peak_mib / max(1e-9, s.tree_peak_mib),
                "exit_codes": [s.returncode, l.returncode],
            }
        )
    one = next(r for r in rows if r["jobs"] == 1)["docs_per_second"]
    two = next(r for r in rows if r["jobs"] == 2)["docs_per_second"]
    return {"sizes": list(sizes), "options": list(extra), "rows": rows, "two_over_one": two / one}


# --- (3) scaling --------------------------------------------------------------------

# Peak memory of one read + check in a fresh process: the peak (VmHWM) is reset
# after start-up and rule loading, so the growth is what the document costs.
_SCALE_PROBE = """
import json, sys, time
from pathlib import Path
from checker.engine import check_report, default_rules_dir, load_rules
from checker.reading.report import read_report
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))
rules = load_rules([default_rules_dir()]).filtered()
path = Path(sys.argv[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS:")
started = time.perf_counter()
findings = check_report(read_report(path), rules)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "base_kib": before, "peak_kib": status("VmHWM:"), "findings": len(findings)}))
"""


def scaling(paths: Sequence[Path], plans: Sequence[corpus.DocPlan], rounds: int) -> dict[str, Any]:
    from checker.engine import check_report, default_rules_dir, load_rules
    from checker.reading.report import read_report

    rules = load_rules([default_rules_dir()]).filtered()
    rows = []
    for path, plan in zip(paths, plans):
        reps = max(2, rounds // plan.factor) if plan.factor > 1 else rounds
        check_report(read_report(path), rules)  # warm
        seconds = best_time(lambda: check_report(read_report(path), rules), reps)  # noqa: B023 - called at once
        floor = best_time(lambda: _floor(path), reps)  # noqa: B023
        probe = subprocess.run([sys.executable, "-c", _SCALE_PROBE, str(path)], capture_output=True, text=True,
                               check=True, cwd=REPO)
        memory = json.loads(probe.stdout)
        rows.append(
            {
                "document": path.name,
                "state": plan.state,
                "factor": plan.factor,
                "kib": round(path.stat().st_size / 1024, 1),
                "check_ms": seconds * 1000,
                "floor_ms": floor * 1000,
                "peak_mib": memory["peak_kib"] / 1024,
                "growth_mib": (memory["peak_kib"] - memory["base_kib"]) / 1024,
            }
        )
    summary = {}
    for state in sorted({r["state"] for r in rows}):
        by_factor = {r["factor"]: r for r in rows if r["state"] == state}
        base = by_factor[min(by_factor)]
        top = by_factor[max(by_factor)]
        summary[state] = {
            "time_ratio": top["check_ms"] / base["check_ms"],
            "floor_ratio": top["floor_ms"] / base["floor_ms"],
            "memory_growth_ratio": top["growth_mib"] / max(1e-9, base["growth_mib"]),
            "factor": top["factor"] / base["factor"],
        }
    return {"rows": rows, "summary": summary}


# --- (4) start-up -------------------------------------------------------------------


def startup(path: Path, runs: int) -> dict[str, Any]:
    command = malkoll_command()
    check = [*command, "check", str(path), "-q", "--no-color"]
    subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # warm the caches
    # The fastest of several runs, alternating, as for the documents: other work on
    # the machine only ever adds to a start-up.
    python_runs, check_runs = [], []
    for _ in range(runs):
        python_runs.append(_wall([sys.executable, "-c", "pass"]))
        check_runs.append(_wall(check))
    python, one = min(python_runs), min(check_runs)
    floor = best_time(lambda: _floor(path), 5)
    command = [sys.executable, "-X", "importtime", "-m", "checker", "check", str(path), "-q", "--no-color"]
    imports = min((import_times(command) for _ in range(max(1, runs // 2))), key=lambda found: found["imports_s"])
    budget = python + floor + TARGET_IMPORT_SECONDS
    return {
        "python_c_pass_s": python,
        "check_one_file_s": one,
        "floor_s": floor,
        "budget_s": budget,
        **imports,
    }


def _wall(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")
# Modules a check of one file has no business importing: what other commands,
# other options or a rule-cache miss use (lark, the syntax tree and the analysis
# load a rule set that is not in the plan cache yet; python-docx writes
# --annotate copies; threads need two or more documents).
_NOT_FOR_CHECK = ("lark", "docx", "openpyxl", "watchdog", "jsonschema", "checker.output.overview", "checker.watch",
                  "checker.rules_lang.ast", "checker.rules_lang.parser", "checker.rules_lang.semantics",
                  "checker.threads", "checker.output.json_report", "checker.output.sarif", "checker.output.junit")


def import_times(command: Sequence[str]) -> dict[str, Any]:
    """What a check imports, from `python -X importtime`: total, the heaviest top-level packages, needless ones."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    top: dict[str, int] = {}
    everything: list[str] = []
    for line in result.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match is None:
            continue
        cumulative, indent, name = int(match.group(2)), len(match.group(3)), match.group(4)
        everything.append(name)
        if indent <= 1:  # a top-level import (not one made by another module)
            root = name.split(".")[0]
            top[root] = top.get(root, 0) + cumulative
    total_us = sum(top.values())
    # The interpreter's own start-up imports (encodings, site …) happen for `python -c pass` too.
    baseline = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"], capture_output=True, text=True,
                              check=False)
    base_us = sum(int(m.group(2)) for line in baseline.stderr.splitlines()
                  if (m := _IMPORT_LINE.match(line)) and len(m.group(3)) <= 1)
    needless = sorted({n for n in everything for bad in _NOT_FOR_CHECK if n == bad or n.startswith(bad + ".")})
    heaviest = sorted(top.items(), key=lambda kv: -kv[1])[:12]
    return {
        "imports_s": (total_us - base_us) / 1e6,
        "heaviest_imports": [{"module": m, "ms": us / 1000} for m, us in heaviest],
        "needless_imports": sorted({n.split(".")[0] if not n.startswith("checker") else n for n in needless}),
    }


# --- report -------------------------------------------------------------------------


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    docs = results["per_document"]
    worst_da = max(r["d_over_a"] for r in docs)
    median_da = statistics.median(r["d_over_a"] for r in docs)
    worst_share = max(r["rule_share"] for r in docs)
    scale = results["scaling"]["summary"]
    factor = max(s["factor"] for s in scale.values())
    limit = TARGET_SCALE_100 * factor / 100
    worst_time = max(s["time_ratio"] for s in scale.values())
    worst_mem = max(s["memory_growth_ratio"] for s in scale.values())
    batch = results["batch"]
    memory = max(r["memory_ratio"] for r in batch["rows"])
    start = results["startup"]
    small, large = batch["sizes"]
    rows = [
        ("full check ≤ 2× the floor (d/a, worst / median)", "full granskning ≤ 2× golvet (d/a, sämsta / median)",
         f"{worst_da:.2f} / {median_da:.2f}", f"≤ {TARGET_D_OVER_A}", worst_da <= TARGET_D_OVER_A),
        ("rule evaluation's share of the full check (worst)", "reglernas andel av granskningen (sämsta)",
         f"{worst_share:.0%}", f"≤ {TARGET_RULE_SHARE:.0%}", worst_share <= TARGET_RULE_SHARE),
        (f"time for {factor:g}× the goals (worst state)", f"tid för {factor:g}× så många mål (sämsta skick)",
         f"{worst_time:.1f}×", f"≤ {limit:g}×", worst_time <= limit),
        (f"memory growth for {factor:g}× the goals (worst state)",
         f"minnesökning för {factor:g}× så många mål (sämsta skick)", f"{worst_mem:.1f}×", f"≤ {limit:g}×",
         worst_mem <= limit),
        ("two workers vs one (documents per second)", "två processer mot en (dokument per sekund)",
         f"{batch['two_over_one']:.2f}×", f"≥ {TARGET_TWO_WORKERS}×", batch["two_over_one"] >= TARGET_TWO_WORKERS),
        (f"peak memory, {large} vs {small} documents (worst jobs)",
         f"toppminne, {large} mot {small} dokument (sämsta --jobs)", f"{memory:.2f}×", f"≤ {TARGET_BATCH_MEMORY}×",
         memory <= TARGET_BATCH_MEMORY),
        *_without_threads(results),
        ("one file end to end (s)", "en fil från start till slut (s)", f"{start['check_one_file_s']:.3f}",
         f"≤ {start['budget_s']:.3f} (python {start['python_c_pass_s']:.3f} + floor + 0.3)",
         start["check_one_file_s"] <= start["budget_s"]),
        ("imports of a check (s)", "importer för en granskning (s)", f"{start['imports_s']:.3f}",
         f"≤ {TARGET_IMPORT_SECONDS}", start["imports_s"] <= TARGET_IMPORT_SECONDS),
        ("imports a check does not use", "importer som granskningen inte använder",
         ", ".join(start["needless_imports"]) or "none", "none", not start["needless_imports"]),
    ]
    return [{"target": t, "mal": sv, "measured": m, "wanted": w, "met": ok} for t, sv, m, w, ok in rows]


def _without_threads(results: dict[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    """The batch targets once more without the thread rules (informative: which stage misses them)."""
    batch = results.get("batch_without_threads")
    if batch is None:
        return []
    memory = max(r["memory_ratio"] for r in batch["rows"])
    small, large = batch["sizes"]
    return [
        ("two workers vs one, without thread rules (--ignore TR)", "två processer mot en, utan trådregler",
         f"{batch['two_over_one']:.2f}×", f"≥ {TARGET_TWO_WORKERS}×", batch["two_over_one"] >= TARGET_TWO_WORKERS),
        (f"peak memory, {large} vs {small} documents, without thread rules",
         f"toppminne, {large} mot {small} dokument, utan trådregler", f"{memory:.2f}×", f"≤ {TARGET_BATCH_MEMORY}×",
         memory <= TARGET_BATCH_MEMORY),
    ]


def render(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    # Written to a file or a pipe, rich would fold the wide per-document table into 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    m = results["machine"]
    console.print(f"[bold]Målkoll benchmark[/] — {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}")

    table = Table(title="Per document (CPU ms, best of the rounds)")
    for col in ("document", "goals", "KiB", "a floor", "a′ text", "b python-docx", "c read", "d check", "rules", "d/a",
                "a′/a", "rules %"):
        table.add_column(col, justify="left" if col == "document" else "right")
    for r in results["per_document"]:
        table.add_row(r["document"], str(r["goals"]), f"{r['kib']:.0f}", f"{r['a_floor_ms']:.2f}",
                      f"{r['a_text_ms']:.2f}", f"{r['b_python_docx_ms']:.2f}", f"{r['c_read_ms']:.2f}",
                      f"{r['d_check_ms']:.2f}", f"{r['rules_ms']:.2f}", f"{r['d_over_a']:.2f}",
                      f"{r['a_text_over_a']:.2f}", f"{r['rule_share']:.0%}")
    console.print(table)
    if results.get("per_pdf"):
        console.print(_pdf_table(results["per_pdf"]))

    for key in ("batch", "batch_without_threads"):
        if key in results:
            console.print(_batch_table(results[key]))

    table = Table(title="Scaling (read + check of one document)")
    for col in ("document", "factor", "KiB", "check ms", "floor ms", "peak MiB", "growth MiB"):
        table.add_column(col, justify="left" if col == "document" else "right")
    for r in results["scaling"]["rows"]:
        table.add_row(r["document"], f"{r['factor']}×", f"{r['kib']:.0f}", f"{r['check_ms']:.1f}",
                      f"{r['floor_ms']:.2f}", f"{r['peak_mib']:.0f}", f"{r['growth_mib']:.1f}")
    console.print(table)

    s = results["startup"]
    console.print(
        f"Start-up: python -c pass {s['python_c_pass_s'] * 1000:.0f} ms, malkoll check of one file "
        f"{s['check_one_file_s'] * 1000:.0f} ms, imports {s['imports_s'] * 1000:.0f} ms "
        f"(heaviest: {', '.join(_heavy(i) for i in s['heaviest_imports'][:6])})"
    )

    table = Table(title="Targets")
    for col in ("target", "measured", "wanted", ""):
        table.add_column(col)
    for t in results["targets"]:
        table.add_row(t["target"], t["measured"], t["wanted"], "[green]met[/]" if t["met"] else "[red]missed[/]")
    console.print(table)


def _batch_table(batch: dict[str, Any]) -> Any:
    from rich.table import Table

    small, large = batch["sizes"]
    options = " ".join(batch.get("options", []))
    table = Table(title=f"Batch (malkoll check --jobs N {options})".replace("  ", " ").replace(" )", ")"))
    for col in ("jobs", f"{small} docs s", f"{large} docs s", "docs/s", f"peak MiB {small}", f"peak MiB {large}",
                "ratio", f"largest process MiB {large}"):
        table.add_column(col, justify="right")
    for r in batch["rows"]:
        table.add_row(str(r["jobs"]), f"{r[f'seconds_{small}']:.2f}", f"{r[f'seconds_{large}']:.2f}",
                      f"{r['docs_per_second']:.1f}", f"{r[f'tree_peak_mib_{small}']:.0f}",
                      f"{r[f'tree_peak_mib_{large}']:.0f}", f"{r['memory_ratio']:.2f}",
                      f"{r[f'max_rss_mib_{large}']:.0f}")
    return table


def _pdf_table(rows: Sequence[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title="Per PDF (CPU ms, best of the rounds; p = pypdfium2 text of every page)")
    for col in ("document", "pages", "KiB", "p floor", "c read", "d check", "c/p", "d/p", ".docx read", "c/.docx"):
        table.add_column(col, justify="left" if col == "document" else "right")
    for r in rows:
        if r["read_error"] is not None:
            table.add_row(r["document"], str(r["pages"]), f"{r['kib']:.0f}", f"{r['floor_ms']:.2f}",
                          f"[red]not read: {r['read_error']}[/]")
            continue
        table.add_row(r["document"], str(r["pages"]), f"{r['kib']:.0f}", f"{r['floor_ms']:.2f}",
                      f"{r['c_read_ms']:.2f}", f"{r['d_check_ms']:.2f}", f"{r['c_over_floor']:.2f}",
                      f"{r['d_over_floor']:.2f}", f"{r['docx_read_ms']:.2f}", f"{r['read_over_docx']:.2f}")
    return table


def _heavy(item: dict[str, Any]) -> str:
    return f"{item['module']} {item['ms']:.0f}"


def markdown(results: dict[str, Any]) -> str:
    """The README's tables (Swedish headings, as the README is Swedish)."""
    m = results["machine"]
    lines = [
        f"Uppmätt {m['date'][:10]} på {m['cpu']}, {m['cores']} kärnor, Python {m['python']} ({m['system']}).",
        "",
        "| mål | uppmätt | krav | |",
        "|---|---|---|---|",
    ]
    for t in results["targets"]:
        wanted = t["wanted"].replace("floor", "golvet").replace("none", "inga")
        measured = t["measured"].replace("none", "inga")
        lines.append(f"| {t['mal']} | {measured} | {wanted} | {'uppfyllt' if t['met'] else '**missat**'} |")
    lines += ["", "| dokument | mål | a golv ms | a′ styckenas text ms | b python-docx ms | c läsning ms | "
              "d granskning ms | d/a | a′/a | regler |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["per_document"]:
        lines.append(f"| {r['document']} | {r['goals']} | {r['a_floor_ms']:.2f} | {r['a_text_ms']:.2f} | "
                     f"{r['b_python_docx_ms']:.2f} | {r['c_read_ms']:.2f} | {r['d_check_ms']:.2f} | "
                     f"{r['d_over_a']:.2f} | {r['a_text_over_a']:.2f} | {r['rule_share']:.0%} |")
    read = [r for r in results.get("per_pdf", ()) if r["read_error"] is None]
    if read:
        lines += ["", "| PDF | skick | sidor | p golv ms (pypdfium2: text per sida) | c läsning ms | d granskning ms | "
                  "c/p | d/p | läsning av .docx ms | c/.docx |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in read:
            lines.append(f"| {r['document']} | {r['state']} | {r['pages']} | {r['floor_ms']:.2f} | {r['c_read_ms']:.2f} | "
                         f"{r['d_check_ms']:.2f} | {r['c_over_floor']:.2f} | {r['d_over_floor']:.2f} | "
                         f"{r['docx_read_ms']:.2f} | {r['read_over_docx']:.2f} |")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny batches and documents: a smoke run in seconds")
    parser.add_argument("--output", type=Path, help=f"where to write the JSON (default: {RESULTS} for a full run)")
    parser.add_argument("--markdown", action="store_true", help="print the README tables too")
    parser.add_argument("--cache", type=Path, help="corpus cache folder (default: $MALKOLL_BENCH_CACHE or the temp dir)")
    args = parser.parse_args(argv)
    settings = Settings.for_mode(args.quick)
    output = args.output if args.output is not None else (None if args.quick else RESULTS)
    if args.cache is not None:
        os.environ[corpus.CACHE_ENV] = str(args.cache)

    started = time.perf_counter()
    ordinary_plans = corpus.ordinary_plans(max(settings.ordinary, settings.batches[1]))
    scale_plans = corpus.scaled_plans(settings.factors, settings.scale_states)
    pdf_plans = corpus.pdf_plans(settings.pdfs)
    print(f"Corpus: {len(ordinary_plans)} ordinary and {len(scale_plans)} scaled documents, {len(pdf_plans)} PDFs "
          f"in {corpus.cache_dir()}", file=sys.stderr)
    ordinary = corpus.ensure(ordinary_plans)
    scaled = corpus.ensure(scale_plans)
    pdfs = corpus.ensure(pdf_plans)
    twins = corpus.ensure([corpus.docx_twin(plan) for plan in pdf_plans])
    print(f"  ready after {time.perf_counter() - started:.0f} s", file=sys.stderr)

    results: dict[str, Any] = {"machine": machine(), "quick": settings.quick}
    n = settings.ordinary
    print("Per document …", file=sys.stderr)
    results["per_document"] = per_document(ordinary[:n], ordinary_plans[:n], settings.rounds)
    print("Per PDF …", file=sys.stderr)
    results["per_pdf"] = per_pdf(pdfs, pdf_plans, twins, settings.rounds)
    print("Scaling …", file=sys.stderr)
    results["scaling"] = scaling(scaled, scale_plans, settings.rounds)
    compile_bytecode()
    print("Start-up …", file=sys.stderr)
    results["startup"] = startup(ordinary[0], settings.startup_runs)
    print("Batches …", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="malkoll-batch-") as work:
        results["batch"] = batches(ordinary, settings.batches, Path(work), repeats=settings.repeats)
        if not settings.quick:
            # The same batches without the thread rules (TR…), whose stage holds every
            # result and reads each document again: what the rest of the pipeline costs.
            print("Batches without thread rules …", file=sys.stderr)
            results["batch_without_threads"] = batches(
                ordinary, settings.batches, Path(work), ("--ignore", "TR"), repeats=settings.repeats
            )
    results["targets"] = targets(results)
    results["seconds"] = time.perf_counter() - started

    render(results)
    if args.markdown:
        print(markdown(results))
    if output is not None:
        output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Results written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
