"""Training: the title classifier and the skill vocabulary, from the shared real data.

Held-out split: a title goes to the test side when a hash of its folded text falls in the
last fifth, so the same title never sits on both sides (repeated adverts would otherwise
inflate accuracy). The role names always train. The test rows ship as
``classifier_heldout.csv`` so a test can hold the accuracy without the shared data.
"""

from __future__ import annotations

import ast
import csv
import glob
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from kadry.config import shared_data
from kadry.errors import ConfigError
from kadry.normalize.classifier import HELDOUT_PATH, METRICS_PATH, MODEL_PATH, THRESHOLD, TitleClassifier, prepare_text
from kadry.normalize.occupations import roles
from kadry.normalize.skills import build_vocabulary

__all__ = ["load_labelled", "split_key", "train", "evaluate", "load_key_skills"]

DATASETS = ("hh-roles-3cities-2026", "hh-api-2023-belarus-engineers", "hh-api-2025-moscow")


def _skills(value) -> list[str]:
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return []
    return [x["name"] for x in value or [] if isinstance(x, dict) and x.get("name")]


def _json_vacancies(shared: Path):
    for f in sorted(glob.glob(str(shared / "vacancies/hh-api-2023-belarus-engineers/docs/vacancies/*.json"))):
        with open(f, encoding="utf-8") as fh:
            yield "hh-api-2023-belarus-engineers", json.load(fh)
    with open(shared / "vacancies/hh-api-2025-moscow/vacancies_raw.json", encoding="utf-8") as fh:
        for d in json.load(fh):
            yield "hh-api-2025-moscow", d


def load_labelled(shared: Path) -> list[tuple[str, str, str, str]]:
    """(title, skills, role_id, dataset) rows whose role is in the 2024 dictionary."""
    known = roles()
    rows = []
    with open(shared / "vacancies/hh-roles-3cities-2026/hh_vacancies.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["role_id"] in known and r["title"]:
                rows.append((r["title"], "", r["role_id"], "hh-roles-3cities-2026"))
    for name, d in _json_vacancies(shared):
        prs = [str(p["id"]) for p in d.get("professional_roles") or [] if str(p.get("id")) in known]
        if prs and d.get("name"):
            rows.append((d["name"], " ".join(_skills(d.get("key_skills"))), prs[0], name))
    return rows


def load_key_skills(shared: Path) -> list[str]:
    out = []
    for _, d in _json_vacancies(shared):
        out += _skills(d.get("key_skills"))
    return out


def split_key(title: str) -> bool:
    """True when the title belongs to the held-out side (one fifth, by a stable hash)."""
    folded = prepare_text(title)
    return int(hashlib.sha1(folded.encode()).hexdigest()[:8], 16) % 5 == 0


def evaluate(model: TitleClassifier, rows: list[tuple[str, str, str]], threshold: float = THRESHOLD) -> dict:
    """top-1, top-3, and accuracy/coverage above the threshold on (title, skills, role) rows."""
    preds = model.predict([r[0] for r in rows], [r[1] for r in rows])
    top1 = np.mean([p.role_id == r[2] for p, r in zip(preds, rows)])
    top3 = np.mean([r[2] in p.top3 for p, r in zip(preds, rows)])
    kept = [(p, r) for p, r in zip(preds, rows) if p.confidence >= threshold]
    return {
        "n": len(rows),
        "top1": round(float(top1), 4),
        "top3": round(float(top3), 4),
        "threshold": threshold,
        "coverage_at_threshold": round(len(kept) / len(rows), 4) if rows else 0.0,
        "top1_above_threshold": round(float(np.mean([p.role_id == r[2] for p, r in kept])), 4) if kept else 0.0,
    }


def train(shared: Path | None = None, out_model: Path = MODEL_PATH) -> dict:
    """Train and write the model, held-out sample, metrics and skill vocabulary; returns the metrics."""
    shared = shared or shared_data()
    if shared is None or not (shared / "vacancies/hh-roles-3cities-2026/hh_vacancies.csv").exists():
        raise ConfigError("training needs the shared data (set KADRY_SHARED_DATA to the folder holding vacancies/)")
    rows = load_labelled(shared)
    train_rows = [r for r in rows if not split_key(r[0])]
    test_rows = [r for r in rows if split_key(r[0])]
    names = []
    for r in roles().values():
        if r.role_id == "40":
            continue  # "Другое" is not a title
        names.append((r.name, "", r.role_id))
        for part in r.name.split(","):
            if part.strip() != r.name:
                names.append((part.strip(), "", r.role_id))
    texts = [prepare_text(t, s) for t, s, _, _ in train_rows] + [prepare_text(t, s) for t, s, _ in names]
    labels = [r for _, _, r, _ in train_rows] + [r for _, _, r in names]
    model = TitleClassifier.fit(texts, labels)
    model.save(out_model)
    held = [(t, s, r) for t, s, r, _ in test_rows]
    metrics = {
        "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "data": list(DATASETS) + ["role names (professional_roles.json)"],
        "train_rows": len(train_rows),
        "role_name_rows": len(names),
        "classes": len(model.classes),
        "features": len(model.vocabulary),
        "heldout": evaluate(model, held),
        "heldout_by_dataset": {
            name: evaluate(model, [(t, s, r) for t, s, r, d in test_rows if d == name]) for name in DATASETS
        },
    }
    with open(HELDOUT_PATH, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "skills", "role_id", "dataset"])
        w.writerows(sorted(test_rows))
    METRICS_PATH.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    vocab = build_vocabulary(load_key_skills(shared))
    with open(MODEL_PATH.parent / "skills_vocab.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "display", "count"])
        w.writerows(vocab)
    metrics["skills_vocabulary"] = len(vocab)
    return metrics
