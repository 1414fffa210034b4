"""The state portal's open-data XML dumps (trudvsem.ru): vacancies, CVs, responses, invitations, dictionaries.

Each dump is one line of XML holding one element per record; it is streamed by record tag
with ``lxml.etree.iterparse`` and every element is cleared with its preceding siblings as
soon as it is read, so memory stays flat on a 15 GB file and the root element is never
assumed. Field names are matched after folding (case, ``_`` and ``-`` ignored), so both
known generations (``creationDate`` / ``date_create``, ``publishDate`` / ``published_date``,
``skills`` / ``professional_skills``, ...) read the same; the vocabulary comes from the
loaders of tha-rc/rostrud_pipeline (``src/parsing_xmls.py``, ``src/all_tables_names.yml``)
and Ellariel/rostrud_ml, since no raw fragment of a dump is public.

Privacy at the door: a CV keeps no name, contact, free text (``otherInfo``, achievements,
demands), past employer or exact birth date. HTML skills give skill terms only; the cv id
is hashed by the ingest (salted), ``candidateId`` is dropped; the work-experience list
becomes career rows of (job title, profession code, start, end).

The snapshot date of a dump is only in its file name (``data-20231231T043041-structure-
20161130T143000.xml.gz``); ``snapshot_of`` reads it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO

from kadry.config import RESOURCES
from kadry.errors import UnreadableFileError
from kadry.schema import age_band, experience_band
from kadry.sources.base import (
    BadValue,
    Item,
    clean_str,
    open_binary,
    parse_ts,
    strip_html,
    to_float,
)
from kadry.sources.records import blank_resume, blank_vacancy
from kadry.sources.text_values import employment_ids, parse_gender, schedule_ids

__all__ = [
    "DATASETS",
    "READERS",
    "RECORD_TAGS",
    "TrudvsemXML",
    "dataset_of",
    "region_name",
    "skill_terms",
    "snapshot_of",
]

SOURCE = "trudvsem"

#: dataset (as in the catalogue's folder names, 7710538364-<dataset>) -> record tag
RECORD_TAGS = {
    "vacancy": "vacancy",
    "cv": "cv",
    "response": "response",
    "invitation": "invitation",
    "professions": "profession",
    "regions": "region",
    "industries": "industry",
}
DATASETS = tuple(RECORD_TAGS)
#: what kind of Item a dataset yields
KIND = {
    "vacancy": "vacancy",
    "cv": "resume",
    "response": "link",
    "invitation": "link",
    "professions": "dictionary",
    "regions": "dictionary",
    "industries": "dictionary",
}

_SNAPSHOT = re.compile(r"data-(\d{8}T\d{6})")
_NOT_ALNUM = re.compile(r"[^0-9a-zа-яё]")
_TRUE = {"1", "true", "yes", "y", "да", "активен", "активна", "активно", "новый отклик", "new"}
_FALSE = {"0", "false", "no", "n", "нет", "не активен", "не активна", "неактивен", "не новый отклик", "old"}


def snapshot_of(path: str | Path) -> datetime | None:
    """The snapshot time in a dump's file name (``data-YYYYMMDDTHHMMSS-...``), or None."""
    m = _SNAPSHOT.search(Path(path).name)
    return datetime.strptime(m.group(1), "%Y%m%dT%H%M%S") if m else None


_HEAD_TAG = re.compile(rb"<(cv|vacancy|response|invitation|profession|region|industry)[\s>/]")


def dataset_of(head: bytes) -> str | None:
    """The dataset of a dump from its first bytes: the first record tag that carries ``about``
    (references inside records carry ``resource``), else the first record tag at all."""
    by_tag = {tag: ds for ds, tag in RECORD_TAGS.items()}
    first = None
    for m in _HEAD_TAG.finditer(head):
        end = head.find(b">", m.end())
        attrs = head[m.end() - 1 : end if end > 0 else len(head)]
        tag = m.group(1).decode()
        if b"about=" in attrs:
            return by_tag[tag]
        if first is None and b"resource=" not in attrs:
            first = by_tag[tag]
    return first


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("region_code.csv", "region_code_short.csv", "region_code_extra.csv"):
        with open(RESOURCES / "trudvsem" / name, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out.setdefault(row["region_code"].strip(), row["region_name"].strip())
                out.setdefault(row["region_code"].strip()[:2], row["region_name"].strip())
    return out


def region_name(code: object) -> str | None:
    """The portal's region name for a 13- or 2-digit code; an unknown code is kept as given."""
    text = clean_str(code)
    if text is None:
        return None
    regions = _regions()
    if text in regions:
        return regions[text]
    if text.isdigit() and len(text) >= 2 and text[:2] in regions:
        return regions[text[:2]]
    return text


@lru_cache(maxsize=4096)
def _norm(tag: str) -> str:
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    return _NOT_ALNUM.sub("", tag.lower())


def _ref(value: str | None) -> str | None:
    """The id after the last ``#`` of a ``resource`` or ``about`` reference."""
    if value is None:
        return None
    return clean_str(value.rsplit("#", 1)[-1])


#: repeated groups inside a record, kept as lists of elements (work history, education)
_GROUPS = {"workexperience", "educationtype", "education", "addeducation"}


def _element_dict(elem) -> dict[str, object]:
    """Flattened children: ``{folded path: text}``; references give their id; ``...List``
    wrappers are transparent (repeated texts become lists); groups stay lists of elements."""
    out: dict[str, object] = {}

    def walk(node, prefix: str) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            own = _norm(child.tag)
            name = prefix + own
            resource = child.get("resource")
            if resource is not None:
                out.setdefault(name, _ref(resource))
                continue
            if len(child):
                if own in _GROUPS:
                    group = out.setdefault(own, [])
                    assert isinstance(group, list)  # a group's key holds only its elements
                    group.append(child)
                else:
                    walk(child, prefix if own.endswith("list") else name)
                continue
            text = child.text
            if text is not None and text.strip():
                seen = out.get(name)
                if seen is None:
                    out[name] = text.strip()
                elif isinstance(seen, list):
                    seen.append(text.strip())
                else:
                    out[name] = [seen, text.strip()]

    walk(elem, "")
    return out


def _pick(d: dict[str, object], *names: str) -> object:
    for name in names:
        value = d.get(name)
        if value not in (None, "", []):
            return value
    return None


def _text(value: object) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return clean_str(value) if isinstance(value, str) else None


def _bool(value: object) -> bool | None:
    text = _text(value)
    if text is None:
        return None
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def _date(value: object, field: str, *, old: bool = False) -> datetime | None:
    """A date or timestamp; the epoch (1970-01-01, a known error of the dumps) and junk are missing.

    ``old`` admits dates back to 1900 (birthdays, work histories), which postings never have.
    """
    text = _text(value)
    if text is None:
        return None
    if old and re.match(r"\d{4}-\d\d-\d\d", text) and not text.startswith("1970-01-01"):
        try:
            parsed = datetime.fromisoformat(text[:10])
            return parsed if parsed.year >= 1900 else None
        except ValueError:
            return None
    if text.isdigit() and len(text) >= 9:
        number = int(text)
        if number == 0:
            return None
        try:
            return parse_ts(number, field=field)
        except BadValue:
            return None
    if text.startswith("1970-01-01"):
        return None
    try:
        return parse_ts(text, field=field)
    except BadValue:
        return None


def _number(value: object, field: str) -> float | None:
    text = _text(value)
    return to_float(text, field=field) if text is not None else None


_SKILL_SPLIT = re.compile(r"[\n;•·●▪\u2022]|,(?!\d)|\s-\s")
_SKILL_JUNK = re.compile(r"[@<>]|https?:|www\.|\d{5,}")


def skill_terms(html: object, limit: int = 40) -> list[str]:
    """Short skill terms from a CV's HTML skills text; sentences, contacts and URLs are dropped."""
    text = strip_html(html) if isinstance(html, str) else None
    if not text:
        return []
    out: list[str] = []
    for part in _SKILL_SPLIT.split(text):
        term = part.strip(" .:-–—*()\"'«»\t").strip()
        if not term or len(term) > 40 or len(term.split()) > 4 or _SKILL_JUNK.search(term):
            continue
        if term.lower() not in (t.lower() for t in out):
            out.append(term)
        if len(out) >= limit:
            break
    return out


def _age_band(value: object, at: datetime | None) -> str | None:
    """An age band from a birth year or date; the exact birthday goes no further."""
    text = _text(value)
    if text is None:
        return None
    year: int | None = None
    born: date | None = None
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
    else:
        parsed = _date(text, "birthday", old=True)
        if parsed is not None:
            born = parsed.date()
    ref = (at or datetime.now()).date()
    if born is not None:
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
    elif year is not None:
        age = ref.year - year
    else:
        return None
    return age_band(age)


def _flag_archived(d: dict[str, object]) -> bool | None:
    deleted = _bool(_pick(d, "innerinfodeleted", "deleted"))
    inactive = _bool(_pick(d, "inactive", "disabled"))
    status = (_text(_pick(d, "innerinfostatus", "status")) or "").lower()
    closed_status = any(w in status for w in ("архив", "archiv", "closed", "закрыт", "удален", "deleted"))
    if deleted or inactive or closed_status:
        return True
    if deleted is False or inactive is False:
        return False
    return None


def vacancy_from_xml(d: dict[str, object], snapshot: datetime | None) -> dict:
    record = blank_vacancy(SOURCE)
    record["source_id"] = _text(_pick(d, "identifier", "@about", "id"))
    if record["source_id"] is None:
        raise BadValue("missing id")
    record["title"] = _text(_pick(d, "title", "jobname", "vacancyname", "positionname"))
    record["profession_code_raw"] = _text(_pick(d, "profession", "professioncode", "codeprofession"))
    record["region_raw"] = region_name(_pick(d, "region", "regioncode", "stateregioncode"))
    record["employer_id"] = _text(_pick(d, "organization", "hiringorganizationidentifier", "idhiringorganization"))
    lo = _number(_pick(d, "basesalarysalarymin", "basesalarymin", "salarymin"), "salaryMin")
    hi = _number(_pick(d, "basesalarysalarymax", "basesalarymax", "salarymax"), "salaryMax")
    if lo is None and hi is None:
        lo = _number(_pick(d, "basesalarysalary", "basesalary", "salary"), "salary")
    lo, hi = (lo or None) if lo != 0 else None, (hi or None) if hi != 0 else None
    if lo is not None or hi is not None:
        record.update(salary_from=lo, salary_to=hi, salary_currency="RUR", salary_period="month")
    years = _number(
        _pick(d, "requirementsexperiencerequirements", "experiencerequirements", "requiredexperience"),
        "experienceRequirements",
    )
    if years is not None and years >= 0:
        record["experience_raw"] = experience_band(years * 12)
    emp = employment_ids(_text(_pick(d, "employmenttype", "busytype", "employment")))
    record["employment"] = emp[0] if emp else None
    sch = schedule_ids(_text(_pick(d, "workhours", "scheduletype", "schedule")))
    record["schedule"] = sch[0] if sch else None
    parts = [
        strip_html(_text(_pick(d, "responsibilities", "duty"))),
        strip_html(_text(_pick(d, "requirementsqualifications", "qualifications"))),
    ]
    record["description"] = "\n".join(p for p in parts if p) or None
    record["created_at"] = _date(_pick(d, "creationdate", "datecreate", "datecreation"), "creationDate")
    record["published_at"] = (
        _date(_pick(d, "dateposted", "datepublished", "publisheddate"), "datePosted") or record["created_at"]
    )
    record["archived"] = _flag_archived(d)
    record["observed_at"] = snapshot
    record["simulated"] = _bool(d.get("simulated")) is True
    return record


def _career(items: object) -> list[dict]:
    """Career rows from ``workExperience`` elements: title, profession code, start, end; no employer."""
    rows: list[dict] = []
    for job in items if isinstance(items, list) else []:
        if not hasattr(job, "tag"):
            continue
        jd = _element_dict(job)
        title = _text(_pick(jd, "jobtitle", "position", "positionname"))
        code = _text(_pick(jd, "profession", "professioncode", "codeprofession"))
        if title is None and code is None:
            continue
        start = _date(_pick(jd, "datefrom", "startdate"), "dateFrom", old=True)
        end = _date(_pick(jd, "dateto", "enddate"), "dateTo", old=True)
        rows.append(
            {
                "job_title": title,
                "profession_code": code,
                "date_from": start.date() if start else None,
                "date_to": end.date() if end else None,
            }
        )
    return rows


def _relocation_type(value: object) -> str | None:
    flag = _bool(value)
    if flag is None:
        return None
    return "relocation_possible" if flag else "no_relocation"


def resume_from_xml(d: dict[str, object], snapshot: datetime | None) -> dict:
    record = blank_resume(SOURCE)
    record["source_id"] = _text(_pick(d, "@about", "idcv", "id", "identifier"))
    if record["source_id"] is None:
        raise BadValue("missing id")
    record["title"] = _text(_pick(d, "positionname", "position", "title"))
    record["profession_code_raw"] = _text(_pick(d, "profession", "professioncode"))
    record["region_raw"] = region_name(_pick(d, "region", "regioncode", "stateregioncode", "regions"))
    salary = _number(_pick(d, "salary"), "salary")
    if salary is not None and salary != 0:
        record["salary_amount"] = salary
        record["salary_currency"] = "RUR"
    years = _number(_pick(d, "experience"), "experience")
    if years is not None:
        if years < 0:
            raise BadValue(f"negative experience: {years:g}")
        record["experience_months"] = round(years * 12)
    record["age_band"] = _age_band(_pick(d, "birthday", "birthdate", "birthyear"), snapshot)
    record["gender"] = parse_gender(_text(_pick(d, "gender")))
    terms = skill_terms(_text(_pick(d, "skills", "professionalskills")))
    for extra in skill_terms(_text(_pick(d, "additionalskills"))):
        if extra.lower() not in (t.lower() for t in terms):
            terms.append(extra)
    record["skills_raw"] = terms
    record["employment_raw"] = employment_ids(_text(_pick(d, "busytype", "employment")))
    sched = _pick(d, "scheduletype", "scheduletypes")
    values = sched if isinstance(sched, list) else [sched]
    record["schedule_raw"] = sorted({s for v in values if isinstance(v, str) for s in schedule_ids(v)})
    record["relocation_type"] = _relocation_type(_pick(d, "relocation"))
    record["created_at"] = _date(_pick(d, "creationdate", "datecreate", "datecreation"), "creationDate")
    record["updated_at"] = (
        _date(
            _pick(d, "innerinfodatemodify", "datemodify", "publishdate", "publisheddate", "datepublish"), "dateModify"
        )
        or record["created_at"]
    )
    record["observed_at"] = snapshot
    record["simulated"] = _bool(d.get("simulated")) is True
    record["_career"] = _career(d.get("workexperience"))
    return record


def link_from_xml(d: dict[str, object], dataset: str) -> dict:
    link_id = _text(_pick(d, "identifier", "@about", "id", "idresponse", "idinvitation"))
    cv = _text(_pick(d, "idcv", "cvid", "cv", "curriculumvitae"))
    vacancy = _text(_pick(d, "idvacancy", "vacancyid", "vacancy", "vacancyidentifier"))
    if vacancy is None:
        for key, value in d.items():
            if key.startswith("link") and isinstance(value, str) and value:
                vacancy = value
    if cv is None or vacancy is None:
        raise BadValue(f"{dataset} without {'cv' if cv is None else 'vacancy'} id")
    created = _date(_pick(d, "creationdate", "datecreate", "datecreation", "datemodify"), "creationDate")
    if link_id is None:
        link_id = f"{cv}|{vacancy}|{created.isoformat() if created else ''}"
    return {"kind": dataset, "link_id": link_id, "cv_id": cv, "vacancy_source_id": vacancy, "created_at": created}


def dictionary_from_xml(d: dict[str, object], dataset: str) -> dict:
    code = _text(_pick(d, "@about", "code", "professioncode", "regioncode", "industrycode", "identifier"))
    if code is None:
        raise BadValue("missing code")
    name = _text(_pick(d, "name", "professionname", "regionname", "industryname", "title"))
    parent = _text(_pick(d, "category", "parent", "group"))
    return {"dictionary": dataset, "code": code, "name": name, "parent": parent, "active": _bool(_pick(d, "active"))}


class _Guarded:
    """A file object whose read errors (a truncated gzip) are kept, so they surface after lxml's recovery."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.error: BaseException | None = None

    def read(self, n: int = -1) -> bytes:
        try:
            return self.raw.read(n)
        except (OSError, EOFError) as exc:
            self.error = exc
            return b""


class TrudvsemXML:
    """One XML dump of the portal (``.xml`` or ``.xml.gz``), streamed by its record tag.

    ``dataset`` is taken from the file's head unless given (the collector knows it from the
    catalogue). Items: vacancies and resumes as canonical records (resumes carry ``_career``),
    responses/invitations as ``link`` items, dictionary entries as ``dictionary`` items.
    """

    name = "trudvsem-xml"
    kind = "vacancy"
    snapshot = True

    def __init__(self, dataset: str | None = None) -> None:
        self.dataset = dataset

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip()[:4096]
        if not text.startswith(b"<"):
            return False
        return dataset_of(head) is not None

    def dataset_for(self, path: Path) -> str:
        if self.dataset is not None:
            return self.dataset
        from kadry.sources.base import head_bytes

        found = dataset_of(head_bytes(path, 65536))
        if found is None:
            raise UnreadableFileError(
                path,
                "no trudvsem record tag (cv, vacancy, response, invitation, profession, "
                "region, industry) in the first 64 KB",
            )
        return found

    def read(self, path: Path) -> Iterator[Item]:
        from lxml import etree

        dataset = self.dataset_for(path)
        tag = RECORD_TAGS[dataset]
        kind = KIND[dataset]
        snap = snapshot_of(path)
        raw = open_binary(path)
        guarded = _Guarded(raw)
        position = 0
        try:
            parser = etree.iterparse(guarded, events=("end",), tag=(tag, "{*}" + tag), recover=True, huge_tree=True)
            for _, elem in parser:
                if elem.get("resource") is not None and elem.get("about") is None:
                    continue  # a reference to a record inside another record, not a record
                parent = elem.getparent()
                if parent is not None and _norm(parent.tag) in RECORD_TAGS.values():
                    continue  # nested in another record
                yield self._item(position, elem, dataset, kind, snap)
                position += 1
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
        except etree.XMLSyntaxError as exc:
            if guarded.error is not None:  # the XML broke because the read did: that is the cause
                raise UnreadableFileError(path, f"read failed after {position} records: {guarded.error}") from None
            raise UnreadableFileError(path, f"broken XML after {position} records: {exc}") from None
        finally:
            raw.close()
        if guarded.error is not None:
            raise UnreadableFileError(path, f"read failed after {position} records: {guarded.error}")

    def _item(self, position: int, elem, dataset: str, kind: str, snap: datetime | None) -> Item:
        d = _element_dict(elem)
        about = _ref(elem.get("about"))
        if about:
            d["@about"] = about
        try:
            if dataset == "vacancy":
                return Item(position, kind, vacancy_from_xml(d, snap))
            if dataset == "cv":
                return Item(position, kind, resume_from_xml(d, snap))
            if kind == "link":
                return Item(position, kind, link_from_xml(d, dataset))
            return Item(position, kind, dictionary_from_xml(d, dataset))
        except BadValue as exc:
            return Item.bad(position, kind, str(exc), None if kind == "resume" else (about or d.get("identifier")))


READERS = [TrudvsemXML()]
