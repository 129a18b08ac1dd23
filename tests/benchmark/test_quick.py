"""The benchmark script still runs end to end (--quick: two tiny batches, small documents).

Nothing here looks at a time or a ratio: speed is the benchmark's business,
and tests must pass on a slow shared machine. This only keeps the script
from rotting as the code under it changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "tests.benchmark.run", "--quick", "--output", str(output), "--cache", str(tmp_path / "cache")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(output.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert {"machine", "per_document", "batch", "scaling", "startup", "targets"} <= results.keys()
    assert len(results["per_document"]) == 2
    assert all(row["d_over_a"] > 0 and 0 <= row["rule_share"] <= 1 for row in results["per_document"])
    assert all(row["a_text_ms"] >= 0 and row["a_text_over_a"] > 0 for row in results["per_document"])
    assert [row["jobs"] for row in results["batch"]["rows"]][:2] == [1, 2]
    assert all(code in (0, 1) for row in results["batch"]["rows"] for code in row["exit_codes"])
    assert {row["factor"] for row in results["scaling"]["rows"]} == {1, 2}
    assert results["startup"]["check_one_file_s"] > 0
    assert {t["target"] for t in results["targets"]}  # every target has a row
    assert "Targets" in run.stdout
    # PDFs beside .docx (issue 17): the floor of extracting their text, Målkoll's read and check of them.
    pdfs = results["per_pdf"]
    assert [row["state"] for row in pdfs] == ["export", "print"]
    assert all(row["pages"] > 1 and row["floor_ms"] > 0 for row in pdfs)
    for row in pdfs:
        assert row["read_error"] is None, row["read_error"]
        assert row["goals"] > 0 and row["c_over_floor"] > 0 and row["d_over_floor"] > 0
        assert row["docx_read_ms"] > 0 and row["read_over_docx"] > 0
    assert "Per PDF" in run.stdout
