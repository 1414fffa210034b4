"""Training: the title classifier and the skill vocabulary, from the labelled real data.

Split: every row goes by a stable hash of its *normalised* title (``title_key``: its distinct
lemmas, sorted) to test (2 in 10), validation (2 in 10) or training, so a title and its case,
word-order and inflection variants never sit on two sides (repeated adverts would otherwise
inflate accuracy). Hyperparameters are chosen on the validation side (a model fitted on the
training side). The shipped model is then fitted on training and validation together, and its
temperature, isotonic map and abstain threshold come from out-of-fold scores: five
models, each fitted without one fold of those rows (folds again by normalised title), predict
the fold they did not see, so every calibration row is a title its model never saw. It is
measured once on the test side, which
ships as ``classifier_heldout.csv`` and stays pinned: a retrain never trains on a title of it,
and refuses to replace the shipped model if its figures there drop.
"""

from __future__ import annotations

import ast
import csv
import glob
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kadry.config import shared_data
from kadry.errors import ConfigError, InputError
from kadry.normalize.classifier import (
    HELDOUT_PATH,
    METRICS_PATH,
    MODEL_PATH,
    OTHER_ROLE,
    VECTORS_PATH,
    TitleClassifier,
    TitleFeatures,
    quantize,
    skill_tokens,
    title_key,
    title_words,
)
from kadry.normalize.occupations import RES, roles
from kadry.normalize.skills import build_vocabulary

__all__ = [
    "GRID",
    "Row",
    "build_vectors",
    "evaluate",
    "fit",
    "load_key_skills",
    "load_labelled",
    "load_user_rows",
    "split_of",
    "train",
]

DATASETS = ("hh-roles-3cities-2026", "hh-api-2023-belarus-engineers", "hh-api-2025-moscow", "hh-java-2023-resumes")
EXAMPLES_PATH = RES / "title_examples.csv"
#: (C, char weight, word weight, vector weight) tried on the validation side
GRID = [
    (0.3, 1.0, 1.0, 1.0),
    (0.2, 1.0, 1.0, 1.0),
    (0.5, 1.0, 1.0, 1.0),
    (0.3, 1.0, 1.0, 1.5),
    (0.3, 1.0, 1.5, 1.0),
    (0.3, 0.7, 1.0, 1.0),
]
#: the logistic regression's C (its share of the probabilities, one of ``MIXES``, is chosen with the
#: grid on the validation side; 0 is the SVM alone)
LR_C = 2.0
MIXES = (0.0, 0.3, 0.5)
#: the abstain threshold keeps this share of the out-of-fold rows (the issue allows abstaining on
#: one in ten)
TARGET_COVERAGE = 0.90
#: a new model may answer fewer held-out titles than the current one, but never fewer than this
MIN_COVERAGE = 0.90
#: folds of the out-of-fold calibration
FOLDS = 5


class Row(NamedTuple):
    title: str
    skills: str
    role_id: str
    dataset: str


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


def load_labelled(shared: Path) -> list[Row]:
    """Every labelled title of the shared data whose role is in the 2024 dictionary ("Другое" included)."""
    known = roles()
    by_name = {r.name.lower(): r.role_id for r in known.values()}
    rows = []
    with open(shared / "vacancies/hh-roles-3cities-2026/hh_vacancies.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["role_id"] in known and r["title"]:
                rows.append(Row(r["title"], "", r["role_id"], "hh-roles-3cities-2026"))
    for name, d in _json_vacancies(shared):
        prs = [str(p["id"]) for p in d.get("professional_roles") or [] if str(p.get("id")) in known]
        if prs and d.get("name"):
            rows.append(Row(d["name"], " ".join(_skills(d.get("key_skills"))), prs[0], name))
    java = shared / "resumes/hh-java-2023/resumes.csv"
    if java.exists():  # resumes whose hh specialization is a role name: a label given by the job seeker
        with open(java, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                rid = by_name.get((r.get("specialization") or "").strip().lower())
                if rid and r.get("name"):
                    rows.append(Row(r["name"], "", rid, "hh-java-2023-resumes"))
    return rows


def load_user_rows(paths: Iterable[Path]) -> list[Row]:
    """A user's labelled titles: CSV with ``title`` and ``role_id`` (hh role id), ``skills`` optional."""
    known = roles()
    out = []
    for p in paths:
        if not Path(p).exists():
            raise InputError(f"no labelled file at {p}", path=str(p))
        with open(p, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"title", "role_id"} <= set(reader.fieldnames):
                raise InputError(f"{p}: a labelled titles file needs the columns title and role_id", path=str(p))
            for n, r in enumerate(reader, start=2):
                rid = (r.get("role_id") or "").strip()
                if rid not in known:
                    raise InputError(
                        f"{p}, line {n}: role_id {rid!r} is not an hh role of the 2024 dictionary", path=str(p)
                    )
                if (r.get("title") or "").strip():
                    out.append(Row(r["title"].strip(), r.get("skills") or "", rid, f"user:{Path(p).name}"))
    return out


def split_of(title: str) -> str:
    """'test', 'val' or 'train', by a stable hash of the normalised title."""
    h = int(hashlib.sha1(title_key(title).encode()).hexdigest()[:8], 16) % 10
    return "test" if h < 2 else "val" if h < 4 else "train"


def _role_name_rows(exclude: set[str] | frozenset[str] = frozenset()) -> list[Row]:
    """The role names, their comma-separated parts and the hand-made ``title_examples.csv``
    (English titles), minus any whose normalised title is in ``exclude`` (validation and test)."""
    out = []
    for r in roles().values():
        if r.role_id == OTHER_ROLE:
            continue
        out.append(Row(r.name, "", r.role_id, "role names"))
        for part in r.name.split(","):
            if part.strip() != r.name:
                out.append(Row(part.strip(), "", r.role_id, "role names"))
    with open(EXAMPLES_PATH, encoding="utf-8", newline="") as f:
        out += [
            Row(r["title"], "", r["role_id"], "title examples") for r in csv.DictReader(f) if r["role_id"] in roles()
        ]
    return [r for r in out if title_key(r.title) not in exclude]


# --- fitting ----------------------------------------------------------------------------------
def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def _fit_skills(rows: list[Row], classes: list[str]) -> tuple[list[str], np.ndarray]:
    """Skill word -> role log-odds (a small logistic regression on the rows that list key skills)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    have = [r for r in rows if r.skills.strip()]
    coef = np.zeros((len(classes), 0), dtype=np.float32)
    if len({r.role_id for r in have}) < 2:
        return [], coef
    vec = CountVectorizer(analyzer=lambda s: sorted(set(skill_tokens(s))), min_df=2, binary=True)
    X = vec.fit_transform([r.skills for r in have])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(X, [r.role_id for r in have])
    vocab = [""] * len(vec.vocabulary_)
    for t, i in vec.vocabulary_.items():
        vocab[i] = t
    full = np.zeros((len(classes), len(vocab)), dtype=np.float32)
    pos = {c: i for i, c in enumerate(classes)}
    for i, c in enumerate(model.classes_):
        if c in pos:
            full[pos[c]] = model.coef_[i]
    return vocab, full


def fit(
    rows: list[Row],
    params: tuple[float, float, float, float],
    *,
    temperature: float = 1.0,
    threshold: float = 0.3,
    mix: float = 0.0,
    vectors_path: Path = VECTORS_PATH,
) -> TitleClassifier:
    """A model from labelled rows ("Другое" rows are dropped: it is no occupation); deterministic.

    Both models are fitted on the same features: a linear SVM (one-vs-rest, liblinear; it beat the
    regression on top-1 on the validation side) and a multinomial logistic regression
    (``LR_C``), whose spread-out probabilities rank the runners-up better; ``mix`` is the
    regression's share of the probabilities (chosen on the validation side by ``train``).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    C, wc, ww, wv = params
    rows = [r for r in rows if r.role_id != OTHER_ROLE]
    titles = [r.title for r in rows]
    feats = TitleFeatures.fit(titles, (wc, ww, wv), vectors_path=vectors_path)
    X = feats.transform(titles)
    y = [r.role_id for r in rows]
    svm = LinearSVC(C=C, max_iter=5000).fit(X, y)
    lr = LogisticRegression(C=LR_C, max_iter=3000).fit(X, y)
    classes = [str(c) for c in svm.classes_]
    assert classes == [str(c) for c in lr.classes_]
    svocab, scoef = _fit_skills(rows, classes)
    return TitleClassifier(
        feats,
        quantize(svm.coef_),
        svm.intercept_,
        classes,
        temperature=temperature,
        threshold=threshold,
        skill_vocab=svocab,
        skill_coef=scoef,
        lr_coef=quantize(lr.coef_),
        lr_intercept=lr.intercept_,
        mix=mix,
    )


def _calibrate(model: TitleClassifier, val: list[Row]) -> tuple[float, float]:
    """Temperature, threshold and isotonic map (set on the model) from the model's own scores on ``val``."""
    val = [r for r in val if r.role_id != OTHER_ROLE and r.role_id in set(model.classes.tolist())]
    pos = {c: i for i, c in enumerate(model.classes.tolist())}
    z, zl = model.scores([r.title for r in val])
    return _calibrate_scores(model, z, zl, np.array([pos[r.role_id] for r in val]))


def _calibrate_scores(model: TitleClassifier, z: np.ndarray, zl: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Temperature of the SVM margins (NLL), then, on the mixed probabilities, the threshold keeping
    ``TARGET_COVERAGE`` of the rows and (set on the model) an isotonic map from the top probability
    to the share of those rows right."""
    from sklearn.isotonic import IsotonicRegression

    t = _fit_temperature(z, y)
    model.temperature = t
    p = model.combine(z, zl)
    conf = p.max(axis=1)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(conf, p.argmax(axis=1) == y)
    model.calib_x, model.calib_y = iso.X_thresholds_.astype(np.float32), iso.y_thresholds_.astype(np.float32)
    threshold = float(np.quantile(conf, 1 - TARGET_COVERAGE))
    return t, round(threshold, 4)


def _fold_of(title: str, folds: int) -> int:
    return int(hashlib.sha1(f"fold:{title_key(title)}".encode()).hexdigest()[:8], 16) % folds


def _cross_fit(
    rows: list[Row], names: list[Row], params: tuple[float, float, float, float], mix: float, folds: int, say
) -> tuple[TitleClassifier, float, float]:
    """The model on all ``rows`` (+ role names), calibrated on out-of-fold scores of ``rows``."""
    rows = [r for r in rows if r.role_id != OTHER_ROLE]
    model = fit(rows + names, params, mix=mix)
    classes = model.classes.tolist()
    pos = {c: i for i, c in enumerate(classes)}
    z = np.full((len(rows), len(classes)), -50.0, dtype=np.float64)  # a role a fold never saw: no chance
    zl = z.copy()
    for k in range(folds):
        inside = [i for i, r in enumerate(rows) if _fold_of(r.title, folds) == k]
        part = fit([r for i, r in enumerate(rows) if _fold_of(r.title, folds) != k] + names, params)
        cols = [pos[c] for c in part.classes.tolist()]
        z[np.ix_(inside, cols)], zl[np.ix_(inside, cols)] = part.scores([rows[i].title for i in inside])
        say(f"out-of-fold calibration: fold {k + 1} of {folds}")
    t, thr = _calibrate_scores(model, z, zl, np.array([pos[r.role_id] for r in rows]))
    model.temperature, model.threshold = t, thr
    return model, t, thr


def _rate(hits: list[bool]) -> float:
    return round(float(np.mean(hits)), 4) if hits else 0.0


def evaluate(model: TitleClassifier, rows: list[Row] | list[tuple], *, detail: bool = False) -> dict:
    """Figures on labelled rows (title, skills, role[, dataset]); "Другое" rows are reported apart.

    top1/top3: every row with a real role; coverage: the share not abstained; top1_covered,
    top3_covered, isco2_covered: among the rows the model does not abstain on; *_titles: the
    same per distinct normalised title (each counted once, majority label).
    """
    rows = [Row(*r) if len(r) == 4 else Row(r[0], r[1], r[2], "") for r in rows]
    real = [r for r in rows if r.role_id != OTHER_ROLE]
    other = [r for r in rows if r.role_id == OTHER_ROLE]
    preds = model.predict([r.title for r in real], [r.skills for r in real])
    isco = {rid: r.isco2 for rid, r in roles().items()}
    ok1 = [p.role_id == r.role_id for p, r in zip(preds, real)]
    ok3 = [r.role_id in p.top3 for p, r in zip(preds, real)]
    kept = [i for i, p in enumerate(preds) if not p.abstained]
    isco_ok = [
        isco.get(preds[i].role_id) is not None and isco.get(preds[i].role_id) == isco.get(real[i].role_id) for i in kept
    ]
    out: dict = {
        "n": len(real),
        "top1": _rate(ok1),
        "top3": _rate(ok3),
        "threshold": round(model.threshold, 4),
        "coverage": round(len(kept) / len(real), 4) if real else 0.0,
        "top1_covered": _rate([ok1[i] for i in kept]),
        "top3_covered": _rate([ok3[i] for i in kept]),
        "isco2_covered": _rate(isco_ok),
        "isco2_all": _rate([isco.get(p.role_id) == isco.get(r.role_id) for p, r in zip(preds, real)]),
    }
    # per distinct normalised title
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(real):
        groups[title_key(r.title)].append(i)
    first = []
    for idx in groups.values():
        label = Counter(real[i].role_id for i in idx).most_common(1)[0][0]
        first.append((preds[idx[0]], label))
    kept_t = [(p, lab) for p, lab in first if not p.abstained]
    out["titles"] = len(first)
    out["top1_titles"] = _rate([p.role_id == lab for p, lab in first])
    out["coverage_titles"] = round(len(kept_t) / len(first), 4) if first else 0.0
    out["top1_covered_titles"] = _rate([p.role_id == lab for p, lab in kept_t])
    out["top3_covered_titles"] = _rate([lab in p.top3 for p, lab in kept_t])
    if other:
        op = model.predict([r.title for r in other], [r.skills for r in other])
        out["other_rows"] = len(other)
        out["other_abstained"] = round(float(np.mean([p.abstained for p in op])), 4)
    if detail:
        per: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        conf: Counter[tuple[str, str]] = Counter()
        for i, (p, r) in enumerate(zip(preds, real)):
            if not p.abstained:
                per[r.role_id].append((ok1[i], True))
                if not ok1[i]:
                    conf[(r.role_id, p.role_id)] += 1
            else:
                per[r.role_id].append((False, False))
        out["per_role"] = {
            rid: {
                "n": len(v),
                "coverage": _rate([k for _, k in v]),
                "top1_covered": _rate([o for o, k in v if k]) if any(k for _, k in v) else None,
            }
            for rid, v in sorted(per.items(), key=lambda x: -len(x[1]))
        }
        out["confusions"] = [{"true": a, "predicted": b, "n": n} for (a, b), n in conf.most_common(15)]
    return out


# --- word vectors ------------------------------------------------------------------------------
def _vocabulary_words(shared: Path) -> set[str]:
    """Lemmas of every real title in the shared data (labelled or not) and of the role names."""
    titles = {r.title for r in load_labelled(shared)} | {r.title for r in _role_name_rows()}
    for f in glob.glob(str(shared / "vacancies/hh-csv-*/**/*.csv"), recursive=True):
        with open(f, encoding="utf-8", errors="replace", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("name"):
                    titles.add(r["name"])
    words: set[str] = set()
    for t in titles:
        words.update(title_words(t))
    return words


def build_vectors(
    navec_tar: Path, shared: Path, out: Path = VECTORS_PATH, *, neighbours: int = 6, cap: int = 20_000
) -> dict:
    """The reduced vector file: navec rows of the title lemmas plus each one's nearest lemmas.

    ``navec_tar`` is ``natasha/data/emb/navec_news_v1_1B_250K_300d_100q.tar`` from the natasha
    wheel (MIT); only the product-quantisation codes of the kept words and the codebook ship.
    """
    from navec import Navec

    nv = Navec.load(str(navec_tar))
    vocab = nv.vocab.words
    index = {w: i for i, w in enumerate(vocab)}
    base = sorted(w for w in _vocabulary_words(shared) if w in index)
    books = nv.pq.codes.astype(np.float32)  # (q, 256, d)
    codes = nv.pq.indexes
    keep = list(dict.fromkeys(base))
    if neighbours:
        from kadry.normalize.classifier import lemma

        q = codes.shape[1]
        full = np.concatenate([books[i][codes[:, i]] for i in range(q)], axis=1)
        full /= np.maximum(np.linalg.norm(full, axis=1, keepdims=True), 1e-6)
        rows = np.array([index[w] for w in base])
        extra: list[str] = []
        seen = set(keep)
        for s in range(0, len(rows), 256):
            sims = full[rows[s : s + 256]] @ full.T
            top = np.argpartition(-sims, neighbours * 3, axis=1)[:, : neighbours * 3]
            for r, cand in zip(sims, top):
                got = 0
                for j in cand[np.argsort(-r[cand])]:
                    w = vocab[j]
                    if w not in seen and w.isalpha() and lemma(w) == w:
                        seen.add(w)
                        extra.append(w)
                        got += 1
                    if got >= neighbours:
                        break
        keep += extra[: max(0, cap - len(keep))]
    sel = np.array([index[w] for w in keep])
    np.savez_compressed(out, words=np.asarray(keep), codes=codes[sel].astype(np.uint8), codebook=books)
    return {"words": len(keep), "title_lemmas": len(base)}


# --- the training run ---------------------------------------------------------------------------
def _pinned_heldout() -> list[Row]:
    if not HELDOUT_PATH.exists():
        return []
    with open(HELDOUT_PATH, encoding="utf-8", newline="") as f:
        return [Row(r["title"], r["skills"], r["role_id"], r["dataset"]) for r in csv.DictReader(f)]


def train(
    shared: Path | None = None,
    *,
    user_files: Iterable[Path] = (),
    out_model: Path = MODEL_PATH,
    force: bool = False,
    grid: list[tuple[float, float, float, float]] | None = None,
    repin: bool = False,
    folds: int = FOLDS,
    progress=None,
) -> dict:
    """Train, measure on the pinned held-out split and (unless worse) write the model and figures.

    ``repin`` rebuilds the held-out split from the hash (maintainers only: it changes the figures'
    reference). Otherwise the shipped ``classifier_heldout.csv`` is the test side, its titles are
    kept out of training, and the new model replaces the shipped one only when its top-1 and top-3
    among answered titles there are not lower and it still answers at least ``MIN_COVERAGE`` of them
    (or no less than the current one less a point; ``force`` overrides).
    """
    say = progress or (lambda m: None)
    shared = shared or shared_data()
    have_shared = shared is not None and (shared / "vacancies/hh-roles-3cities-2026/hh_vacancies.csv").exists()
    user = load_user_rows(user_files)
    if not have_shared and not user:
        raise ConfigError("training needs the shared data (KADRY_SHARED_DATA) or a labelled titles file (--labels)")
    rows = (load_labelled(shared) if shared is not None and have_shared else []) + user
    pinned = [] if repin else _pinned_heldout()
    if pinned:
        test_keys = {title_key(r.title) for r in pinned}
        test = pinned
        rest = [r for r in rows if title_key(r.title) not in test_keys]
    else:
        test = [r for r in rows if split_of(r.title) == "test"]
        rest = [r for r in rows if split_of(r.title) != "test"]
    val = [r for r in rest if split_of(r.title) == "val"]
    tr = [r for r in rest if split_of(r.title) != "val"]
    names = _role_name_rows({title_key(r.title) for r in test + val})
    say(f"{len(tr)} training, {len(val)} validation, {len(test)} held-out rows")
    # hyperparameters on validation only
    if not tr or not val:
        raise ConfigError(f"too few labelled titles to train ({len(tr)} training, {len(val)} validation rows)")
    scores = []
    for params in grid or GRID:
        m = fit(tr + names, params)
        for mix in MIXES:
            m.mix = mix
            m.temperature, m.threshold = _calibrate(m, val)
            e = evaluate(m, val)
            scores.append((e["top1_covered"] + 0.5 * e["top3_covered"], params, mix, e))
            say(
                f"validation {params} mix {mix}: top-1 {e['top1_covered']:.3f} top-3 {e['top3_covered']:.3f}"
                f" coverage {e['coverage']:.3f}"
            )
    _, best, best_mix, val_fig = max(scores, key=lambda s: s[0])
    model, t, thr = _cross_fit(tr + val, names, best, best_mix, folds, say)
    held = evaluate(model, test, detail=True)
    metrics = {
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%d"),
        "data": sorted({r.dataset for r in rows}) + ["role names (professional_roles.json)"],
        "train_rows": len(tr),
        "validation_rows": len(val),
        "role_name_rows": len(names),
        "other_rows_dropped_from_training": sum(r.role_id == OTHER_ROLE for r in tr + val),
        "user_rows": len(user),
        "classes": len(model.classes),
        "char_features": len(model.features.char_vocab),
        "word_features": len(model.features.word_vocab),
        "params": {
            "C": best[0],
            "char_weight": best[1],
            "word_weight": best[2],
            "vector_weight": best[3],
            "regression_C": LR_C,
            "regression_share": best_mix,
        },
        "temperature": round(t, 4),
        "threshold": thr,
        "validation": val_fig,
        "validation_grid": [
            {
                "params": list(sc[1]),
                "regression_share": sc[2],
                "top1_covered": sc[3]["top1_covered"],
                "top3_covered": sc[3]["top3_covered"],
                "coverage": sc[3]["coverage"],
            }
            for sc in scores
        ],
        "heldout": held,
        "heldout_by_dataset": {
            name: evaluate(model, [r for r in test if r.dataset == name]) for name in sorted({r.dataset for r in test})
        },
    }
    old = _shipped_heldout_figures(out_model, test)
    metrics["previous_model_on_heldout"] = old
    worse = old is not None and (
        held["top1_covered"] < old["top1_covered"] - 1e-9
        or held["top3_covered"] < old["top3_covered"] - 1e-9
        or held["coverage"] < min(old["coverage"] - 0.01, MIN_COVERAGE)
    )
    metrics["replaced"] = bool(force or not worse)
    if worse and not force:
        return metrics
    model.save(out_model)
    if out_model == MODEL_PATH:
        if repin or not pinned:
            with open(HELDOUT_PATH, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["title", "skills", "role_id", "dataset"])
                w.writerows(sorted(test))
        METRICS_PATH.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if shared is not None and have_shared:
            vocab = build_vocabulary(load_key_skills(shared))
            with open(MODEL_PATH.parent / "skills_vocab.csv", "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["key", "display", "count"])
                w.writerows(vocab)
            metrics["skills_vocabulary"] = len(vocab)
    return metrics


def _shipped_heldout_figures(path: Path, test: list[Row]) -> dict | None:
    """The current model's figures on the same held-out rows (None if there is no usable model)."""
    if not path.exists():
        return None
    try:
        current = TitleClassifier.load(path)
    except ConfigError:
        return None
    return evaluate(current, test)


def load_key_skills(shared: Path) -> list[str]:
    out = []
    for _, d in _json_vacancies(shared):
        out += _skills(d.get("key_skills"))
    return out
