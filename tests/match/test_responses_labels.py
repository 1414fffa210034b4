"""``kadry match evaluate --labels responses``: who applied where as ground truth (simulated responses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kadry.ingest.snapshots import ingest_snapshot
from kadry.simulate.trudvsem import simulate_trudvsem
from kadry.store import Store


def test_evaluate_on_responses(tmp_path, monkeypatch):
    monkeypatch.setenv("KADRY_SALT", "labels-salt-0123456789")
    sim = tmp_path / "sim"
    simulate_trudvsem(sim, days=3, start="2024-03-26", vacancies=80, cvs=300, regions=3, seed=4)
    db = tmp_path / "m.duckdb"
    with Store(db) as store:
        for ds in ("vacancy", "cv", "response"):
            for f in sorted((sim / f"7710538364-{ds}").glob("data-*.xml.gz")):
                ingest_snapshot(store, f)
        n_links = store.count("links")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kadry",
            "match",
            "evaluate",
            "--labels",
            "responses",
            "--db",
            str(db),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "KADRY_SALT": "labels-salt-0123456789"},
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)["responses"]
    assert report["simulated"] is True and 0 < report["resumes"] <= n_links
    for side in ("ours", "baseline_tfidf"):
        assert 0.0 <= report[side]["precision@10"] <= 1.0 and report[side]["queries"] == report["resumes"]
    # the simulator makes people apply within their profession: both rankers must beat chance
    assert report["ours"]["ndcg@10"] > 0.01
