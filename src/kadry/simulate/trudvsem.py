"""Daily dumps in the state portal's own XML formats, simulated and labelled so, with their truth.

``simulate_trudvsem`` plays a small labour market day by day (vacancies and CVs are created,
updated, closed; CVs move between regions; job seekers respond, employers invite) and writes,
for every day, what a dump of that day would hold: every live record, in the catalogue's
layout (``<out>/7710538364-<dataset>/data-YYYYMMDDT191106-structure-20161130T143000.xml.gz``).
Both known generations of field names, booleans as words, epoch dates, HTML skills, free
text with contacts (to prove the reader drops it) and negative salaries (to prove the
quarantine) are mixed in. Every record carries ``<simulated>true</simulated>``.

``truth/`` holds what the dumps must give back: live records per profession x region x
day, close days, moves and the responses. ``write_cv_dump`` streams one large CV dump (for
the memory benchmark) without holding it.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from kadry.config import RESOURCES
from kadry.errors import InputError

__all__ = ["CATALOGUE_PREFIX", "PROFESSIONS", "dump_name", "simulate_trudvsem", "write_cv_dump"]

CATALOGUE_PREFIX = "7710538364-"
#: real codes and names of the portal's professions (from its API answers, see tests/fixtures/trudvsem)
PROFESSIONS = [
    ("104095", "Продавец-универсал"),
    ("104094", "Продавец-кассир"),
    ("105173", "Укладчик-упаковщик"),
    ("201748", "Кассир-операционист"),
    ("101638", "Комплектовщик"),
    ("200037", "Директор магазина"),
    ("100817", "Водитель автомобиля"),
    ("103643", "Пекарь"),
    ("204301", "Электромеханик"),
    ("202086", "Менеджер по работе с клиентами"),
]
_SKILLS = [
    "Работа с кассой",
    "1С",
    "Excel",
    "Водительские права категории B",
    "Мерчандайзинг",
    "Работа с клиентами",
    "Складской учёт",
    "Выпечка хлеба",
    "Электромонтаж",
    "Продажи",
    "Инвентаризация",
    "Охрана труда",
]
_RES = "http://opendata.trudvsem.ru/7710538364-"


def _regions(n: int) -> list[tuple[str, str]]:
    with open(RESOURCES / "trudvsem" / "region_code.csv", encoding="utf-8") as f:
        rows = [(r["region_code"], r["region_name"]) for r in csv.DictReader(f)]
    wanted = [
        "7700000000000",
        "7800000000000",
        "5000000000000",
        "6600000000000",
        "1600000000000",
        "5400000000000",
        "7400000000000",
        "6100000000000",
        "2400000000000",
        "6300000000000",
    ]
    by = dict(rows)
    return [(c, by[c]) for c in wanted[:n]]


def dump_name(day: date, hhmmss: str = "191106") -> str:
    """A dump file name as the portal writes it (the snapshot time is only here)."""
    return f"data-{day:%Y%m%d}T{hhmmss}-structure-20161130T143000.xml.gz"


@dataclass
class _Vac:
    id: str
    prof: int
    region: int
    created: date
    salary: int
    gen: int
    closed: date | None = None


@dataclass
class _Cv:
    id: str
    candidate: str
    prof: int
    region: int
    created: date
    salary: int
    gen: int
    born: int
    history: list[tuple[str, int, date, date | None]] = field(default_factory=list)
    modified: date | None = None
    closed: date | None = None
    relocation: bool = False


def _x(tag: str, value: object) -> str:
    return "" if value is None else f"<{tag}>{escape(str(value))}</{tag}>"


def _ref(tag: str, dataset: str, code: str) -> str:
    return f"<{tag} resource={quoteattr(f'{_RES}{dataset}/{code}.xml#{code}')}/>"


def _bool_word(flag: bool, rng: random.Random) -> str:
    return rng.choice([("true", "false"), ("Да", "Нет"), ("1", "0")])[0 if flag else 1]


def _vacancy_xml(v: _Vac, regions: list[tuple[str, str]], rng: random.Random) -> str:
    rng = random.Random(v.id)  # a record's spelling drift is its own, the same in every dump
    code, name = PROFESSIONS[v.prof]
    created = v.created.isoformat() if rng.random() > 0.02 else "1970-01-01"  # epoch dates occur
    d_created = "creationDate" if v.gen == 1 else "date_create"
    parts = [
        f"<vacancy about={quoteattr(f'{_RES}vacancy/{v.id}.xml#{v.id}')}>",
        _x("identifier", v.id),
        _ref("region", "regions", regions[v.region][0]),
        _ref("profession", "professions", code),
        _ref("organization", "organizations", f"org{v.prof}{v.region}"),
        _x(d_created, created),
        _x("datePosted", v.created.isoformat()),
        f"<baseSalary>{_x('salaryMin', v.salary)}{_x('salaryMax', v.salary + 5000)}</baseSalary>",
        _x("title", name),
        _x("employmentType", "Полная занятость"),
        _x("workHours", "Полный рабочий день"),
        _x("responsibilities", f"<p>Обязанности: {name.lower()}</p>"),
        f"<requirements>{_x('experienceRequirements', rng.choice([0, 1, 3]))}</requirements>",
        f"<innerInfo>{_x('deleted', _bool_word(False, rng))}{_x('status', 'Опубликована')}</innerInfo>",
        _x("vac_url", f"https://trudvsem.ru/vacancy/card/x/{v.id}"),
        _x("simulated", "true"),
        "</vacancy>",
    ]
    return "".join(parts)


def _cv_xml(c: _Cv, regions: list[tuple[str, str]], day: date, rng: random.Random) -> str:
    rng = random.Random(c.id)
    code, name = PROFESSIONS[c.prof]
    skills = rng.sample(_SKILLS, 3)
    history = "".join(
        (
            "<workExperience>"
            + _x("companyName", f"ООО Ромашка {i}")
            + _x("jobTitle", title)
            + (_ref("profession", "professions", PROFESSIONS[p][0]) if p >= 0 else "")
            + _x("dateFrom", start.isoformat())
            + _x("dateTo", end.isoformat() if end else None)
            + _x("demands", "Вёл учёт, звонить +7 900 111-22-33")
            + _x("achievements", "Лучший сотрудник")
            + "</workExperience>"
        )
        for i, (title, p, start, end) in enumerate(c.history)
    )
    created_tag, publish_tag, skills_tag = (
        ("creationDate", "publishDate", "skills")
        if c.gen == 1
        else ("date_create", "published_date", "professional_skills")
    )
    parts = [
        f"<cv about={quoteattr(f'{_RES}cv/{c.id}.xml#{c.id}')}>",
        _ref("profession", "professions", code),
        _ref("region", "regions", regions[c.region][0]),
        _x("positionName", name),
        _x("salary", c.salary),
        _x("experience", len(c.history) * 2),
        _x("busyType", "Полная занятость"),
        f"<scheduleTypesList>{_x('scheduleType', 'Полный рабочий день')}{_x('scheduleType', 'Сменный график')}"
        "</scheduleTypesList>",
        _x(skills_tag, "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in skills) + "</ul>"),
        _x("otherInfo", "Иванов Иван Иванович, тел. +7 912 345-67-89, ivanov@example.ru, ответственный"),
        _x("relocation", _bool_word(c.relocation, rng)),
        _x("candidateId", c.candidate),
        _x(created_tag, c.created.isoformat()),
        _x(publish_tag, (c.modified or c.created).isoformat()),
        _x("birthday", f"{c.born}-03-15"),
        _x("gender", rng.choice(["Мужской", "Женский"])),
        _x("fio", "Иванов Иван Иванович"),
        f"<innerInfo>{_x('dateModify', (c.modified or c.created).isoformat())}{_x('deleted', 'false')}"
        f"{_x('status', 'Активен')}</innerInfo>",
        f"<workExperienceList>{history}</workExperienceList>",
        (
            "<educationList><educationType>"
            + _x("legalName", "Колледж №1")
            + _x("graduateYear", c.born + 20)
            + "</educationType></educationList>"
        ),
        _x("simulated", "true"),
        "</cv>",
    ]
    return "".join(parts)


def _link_xml(tag: str, link_id: str, cv: _Cv, vac: _Vac, day: date) -> str:
    return (
        f"<{tag} about={quoteattr(f'{_RES}{tag}/{link_id}.xml#{link_id}')}>"
        + _x("identifier", link_id)
        + _x("candidateId", cv.candidate)
        + _x("idCv", cv.id)
        + _x("idVacancy", vac.id)
        + _x("creationDate", day.isoformat())
        + _x("isNew", "Новый отклик")
        + _x("simulated", "true")
        + f"</{tag}>"
    )


def _write_dump(path: Path, root: str, rows: Iterator[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as f:
        f.write(
            f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        )
        for row in rows:
            f.write(row)
            n += 1
        f.write(f"</{root}>")
    tmp.replace(path)
    return n


def _bad_cv(i: int, day: date, regions: list[tuple[str, str]]) -> str:
    """A CV with a negative salary (occurs in the real dumps): quarantined, never in the truth."""
    return (
        f"<cv about={quoteattr(f'{_RES}cv/bad-{i}.xml#bad-{i}')}>"
        + _ref("region", "regions", regions[0][0])
        + _x("positionName", "Продавец")
        + _x("salary", -15000)
        + _x("creationDate", day.isoformat())
        + _x("simulated", "true")
        + "</cv>"
    )


def simulate_trudvsem(
    out: str | Path,
    *,
    days: int = 10,
    start: str | date = "2024-03-26",
    vacancies: int = 400,
    cvs: int = 1200,
    regions: int = 6,
    seed: int = 0,
    skip_days: tuple[int, ...] = (),
) -> dict:
    """Write ``days`` daily dumps of vacancy, cv, response and invitation (simulated) and their truth.

    ``vacancies``/``cvs`` are the live stocks at the start; each day about 4% close and as
    many open, 3% of CVs update, 1% move region. ``skip_days`` leaves some days without a
    dump (a snapshot interval longer than a day). Returns a summary.
    """
    if days < 1 or days > 400:
        raise InputError("--days must be between 1 and 400")
    out = Path(out)
    rng = random.Random(seed)
    first = date.fromisoformat(start) if isinstance(start, str) else start
    regs = _regions(regions)
    counter = {"v": 0, "c": 0, "r": 0, "i": 0}

    def new_vac(created: date) -> _Vac:
        counter["v"] += 1
        return _Vac(
            f"{rng.getrandbits(32):08x}-sim-{counter['v']:06d}",
            rng.randrange(len(PROFESSIONS)),
            rng.randrange(len(regs)),
            created,
            rng.randrange(25, 120) * 1000,
            rng.choice([1, 2]),
        )

    def new_cv(created: date) -> _Cv:
        counter["c"] += 1
        c = _Cv(
            f"cv-sim-{counter['c']:07d}",
            f"cand-{counter['c']:07d}",
            rng.randrange(len(PROFESSIONS)),
            rng.randrange(len(regs)),
            created,
            rng.randrange(20, 150) * 1000,
            rng.choice([1, 2]),
            rng.randrange(1960, 2005),
            relocation=rng.random() < 0.3,
        )
        start_job = date(2012, 1, 1)
        for _ in range(rng.randrange(0, 4)):
            p = rng.randrange(-1, len(PROFESSIONS))
            end = start_job + timedelta(days=rng.randrange(200, 1200))
            title = PROFESSIONS[p][1] if p >= 0 else "Стажёр"
            c.history.append((title, p, start_job, end if end < created else None))
            start_job = end
        c.prof = next((p for _, p, _, _ in reversed(c.history) if p >= 0), c.prof)
        return c

    vacs = [new_vac(first - timedelta(days=rng.randrange(1, 60))) for _ in range(vacancies)]
    cv_list = [new_cv(first - timedelta(days=rng.randrange(1, 90))) for _ in range(cvs)]
    responses: list[tuple[str, str, str, date]] = []
    invitations: list[tuple[str, str, str, date]] = []
    moves: list[dict] = []
    live_rows: list[dict] = []
    files: list[dict] = []
    n_bad = 0
    for k in range(days):
        day = first + timedelta(days=k)
        if k > 0:  # the day's events; a record closed on `day` is absent from its dump
            for v in vacs:
                if v.closed is None and rng.random() < 0.04:
                    v.closed = day
                elif v.closed is None and rng.random() < 0.03:
                    v.salary += 1000
            for c in cv_list:
                if c.closed is None and rng.random() < 0.03:
                    c.closed = day
                elif c.closed is None and rng.random() < 0.03:
                    c.modified = day
                    c.salary += 2000
                elif c.closed is None and rng.random() < 0.01:
                    old = c.region
                    c.region = (c.region + 1 + rng.randrange(len(regs) - 1)) % len(regs)
                    c.modified = day
                    moves.append({"cv_id": c.id, "day": day.isoformat(), "from": regs[old][0], "to": regs[c.region][0]})
            vacs.extend(new_vac(day) for _ in range(max(1, round(vacancies * 0.04))))
            cv_list.extend(new_cv(day) for _ in range(max(1, round(cvs * 0.03))))
        live_v = [v for v in vacs if v.closed is None]
        live_c = [c for c in cv_list if c.closed is None]
        for c in rng.sample(live_c, min(len(live_c), max(1, len(live_c) // 20))):
            same = [v for v in live_v if v.prof == c.prof] or live_v
            v = rng.choice(same)
            counter["r"] += 1
            responses.append((f"resp-{counter['r']:07d}", c.id, v.id, day))
        for v in rng.sample(live_v, min(len(live_v), max(1, len(live_v) // 20))):
            c = rng.choice([c for c in live_c if c.prof == v.prof] or live_c)
            counter["i"] += 1
            invitations.append((f"inv-{counter['i']:07d}", c.id, v.id, day))
        for v in live_v:
            live_rows.append({"kind": "vacancy", "id": v.id, "day": day.isoformat()})
        for c in live_c:
            live_rows.append({"kind": "resume", "id": c.id, "day": day.isoformat()})
        if k in skip_days:
            continue
        name = dump_name(day)
        by_id_c = {c.id: c for c in cv_list}
        by_id_v = {v.id: v for v in vacs}
        bad = [_bad_cv(n_bad + j, day, regs) for j in range(2)]
        n_bad += 2
        counts = {
            "vacancy": _write_dump(
                out / f"{CATALOGUE_PREFIX}vacancy" / name, "vacancies", (_vacancy_xml(v, regs, rng) for v in live_v)
            ),
            "cv": _write_dump(
                out / f"{CATALOGUE_PREFIX}cv" / name, "cvs", iter([_cv_xml(c, regs, day, rng) for c in live_c] + bad)
            ),
            "response": _write_dump(
                out / f"{CATALOGUE_PREFIX}response" / name,
                "responses",
                (_link_xml("response", i, by_id_c[c], by_id_v[v], d) for i, c, v, d in responses),
            ),
            "invitation": _write_dump(
                out / f"{CATALOGUE_PREFIX}invitation" / name,
                "invitations",
                (_link_xml("invitation", i, by_id_c[c], by_id_v[v], d) for i, c, v, d in invitations),
            ),
        }
        files.append({"day": day.isoformat(), "file": name, **counts})
    first_name = dump_name(first, "043041")
    _write_dump(
        out / f"{CATALOGUE_PREFIX}professions" / first_name,
        "professions",
        (
            f"<profession about={quoteattr(f'{_RES}professions/{code}.xml#{code}')}>{_x('name', name)}"
            f"{_x('category', 'Рабочие' if code.startswith('1') else 'Служащие')}{_x('active', 'true')}</profession>"
            for code, name in PROFESSIONS
        ),
    )
    _write_dump(
        out / f"{CATALOGUE_PREFIX}regions" / first_name,
        "regions",
        (
            f"<region about={quoteattr(f'{_RES}regions/{code}.xml#{code}')}>{_x('code', code)}{_x('name', name)}</region>"
            for code, name in regs
        ),
    )
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    dumped = {f["day"] for f in files}
    attrs = {v.id: (PROFESSIONS[v.prof][0], regs[v.region][0]) for v in vacs}
    attrs.update({c.id: (PROFESSIONS[c.prof][0], regs[c.region][0]) for c in cv_list})
    with open(truth / "live.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "id", "day", "profession", "region", "in_dump"])
        for row in live_rows:
            prof, reg = attrs[row["id"]]
            w.writerow([row["kind"], row["id"], row["day"], prof, reg, row["day"] in dumped])
    with open(truth / "closures.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "id", "closed_on"])
        for v in vacs:
            if v.closed:
                w.writerow(["vacancy", v.id, v.closed.isoformat()])
        for c in cv_list:
            if c.closed:
                w.writerow(["resume", c.id, c.closed.isoformat()])
    with open(truth / "responses.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "link_id", "cv_id", "vacancy_id", "day"])
        for kind, rows in (("response", responses), ("invitation", invitations)):
            for link_id, cv_id, vacancy_id, d in rows:
                w.writerow([kind, link_id, cv_id, vacancy_id, d.isoformat()])
    with open(truth / "moves.csv", "w", newline="", encoding="utf-8") as f:
        dw = csv.DictWriter(f, fieldnames=["cv_id", "day", "from", "to"])
        dw.writeheader()
        dw.writerows(moves)
    summary = {
        "simulated": True,
        "days": days,
        "first": first.isoformat(),
        "files": files,
        "quarantine_expected": n_bad,
        "vacancies": len(vacs),
        "cvs": len(cv_list),
        "responses": len(responses),
        "invitations": len(invitations),
        "moves": len(moves),
        "note": "SIMULATED data in the trudvsem open-data XML format; not real records",
    }
    (out / "SIMULATED.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def write_cv_dump(
    path: str | Path, target_bytes: int, *, seed: int = 0, day: str = "2024-03-26", gzip_output: bool = False
) -> dict:
    """Stream one simulated CV dump of about ``target_bytes`` of XML (memory stays small)."""
    path = Path(path)
    rng = random.Random(seed)
    regs = _regions(10)
    the_day = date.fromisoformat(day)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    written = 0
    with gzip.open(path, "wt", encoding="utf-8") if gzip_output else path.open("w", encoding="utf-8") as f:
        head = '<?xml version="1.0" encoding="UTF-8"?><cvs>'
        f.write(head)
        written += len(head)
        while written < target_bytes:
            n += 1
            c = _Cv(
                f"cv-big-{n:09d}",
                f"cand-{n:09d}",
                rng.randrange(len(PROFESSIONS)),
                rng.randrange(len(regs)),
                the_day - timedelta(days=rng.randrange(1, 300)),
                rng.randrange(20, 150) * 1000,
                rng.choice([1, 2]),
                rng.randrange(1960, 2005),
            )
            c.history = [
                (PROFESSIONS[c.prof][1], c.prof, date(2015, 1, 1), date(2018, 6, 1)),
                ("Стажёр", -1, date(2018, 7, 1), None),
            ]
            row = _cv_xml(c, regs, the_day, rng)
            f.write(row)
            written += len(row.encode("utf-8"))
        f.write("</cvs>")
    return {
        "records": n,
        "bytes_xml": written,
        "path": str(path),
        "created": datetime.now().isoformat(timespec="seconds"),
    }
