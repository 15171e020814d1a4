"""The benchmark command runs from a clean clone (a smoke test: it checks that the
suite works and reports every row, not how fast anything is, so each measurement runs
once: `--smoke`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_command_runs_and_reports_its_rows(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--no-peers",
            "--only",
            "status,credentials,catalogue,assume,sso-discovery,sso-start,start-sessions",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: a target missed on this machine
    report = json.loads(out.read_text())
    rows = {row["#"]: row for row in report["rows"]}
    assert sorted(rows) == [1, 5, 6, 7, 13, 14, 23]
    assert all(row["ratio"] > 0 for row in report["rows"])
    # Identity Center rows: discovery listed every role (it stops the run otherwise), and the
    # first frame listed every discovered target from the cache.
    assert rows[13]["accounts"] == 100 and rows[13]["calls_per_second"] > 0
    assert rows[14]["targets"] == 10_000, rows[14]["measured"]
    # Issue 15's busy home: the app read all 20 sessions and showed all 250 pins (the usage
    # state written through core.usage), with the recent group beside them.
    assert rows[23]["sessions"] == 20 and rows[23]["groups"][0] == 250, rows[23]["measured"]
    assert rows[23]["groups"][1] > 0, rows[23]["measured"]
    assert "| # | measurement |" in done.stdout
