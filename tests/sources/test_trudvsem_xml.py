"""The portal's XML dumps and JSON API answers: both generations, value drift, privacy at the door."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest

from kadry.errors import UnreadableFileError
from kadry.ingest.snapshots import ingest_snapshot
from kadry.sources import detect
from kadry.sources.trudvsem import TrudvsemJSON
from kadry.sources.trudvsem_xml import TrudvsemXML, dataset_of, skill_terms, snapshot_of

API = Path(__file__).parent / "fixtures" / "trudvsem_api"
R = "http://opendata.trudvsem.ru/7710538364-"
NAME = "data-20231231T043041-structure-20161130T143000.xml"

CV_GEN1 = f"""<cv about="{R}cv/cv.xml#c1"><profession resource="{R}professions/p.xml#104095"/>
<region resource="{R}regions/r.xml#7700000000000"/><positionName>Продавец</positionName><salary>45000</salary>
<experience>3</experience><birthday>1990-06-01</birthday><gender>Женский</gender>
<skills>&lt;p&gt;Работа с кассой, 1С; Excel&lt;/p&gt;&lt;p&gt;Звоните мне по телефону +7 900 000-00-00 в любое время дня&lt;/p&gt;</skills>
<otherInfo>Петрова Анна, anna@example.org, +7 900 000-00-00</otherInfo><candidateId>cand-9</candidateId>
<creationDate>2023-05-01</creationDate><publishDate>2023-12-01</publishDate><relocation>Да</relocation>
<innerInfo><dateModify>2023-12-20</dateModify><deleted>false</deleted></innerInfo>
<workExperienceList><workExperience><companyName>ООО Тайная Фирма</companyName><jobTitle>Кассир</jobTitle>
<dateFrom>2015-01-10</dateFrom><dateTo>2019-02-01</dateTo><demands>звонить Ивану</demands></workExperience>
<workExperience><companyName>ИП Сидоров</companyName><jobTitle>Продавец</jobTitle><dateFrom>2019-03-01</dateFrom>
</workExperience></workExperienceList></cv>"""
CV_GEN2 = f"""<cv about="{R}cv/cv.xml#c2"><region resource="{R}regions/r.xml#16"/><positionName>Пекарь</positionName>
<salary>-500</salary><date_create>2023-01-01</date_create></cv><cv about="{R}cv/cv.xml#c3">
<region resource="{R}regions/r.xml#16"/><positionName>Пекарь</positionName><salary>30000</salary>
<date_create>1970-01-01</date_create><published_date>2023-11-11</published_date>
<professional_skills>Выпечка хлеба</professional_skills><birthday>1958</birthday><relocation>false</relocation></cv>"""


def _dump(tmp_path: Path, body: str, root: str = "cvs", gz: bool = False, name: str = NAME) -> Path:
    text = f'<?xml version="1.0" encoding="UTF-8"?><{root}>{body}</{root}>'.replace("\n", "")
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_cv_both_generations_and_drift(tmp_path, gz):
    path = _dump(tmp_path, CV_GEN1 + CV_GEN2, gz=gz)
    assert detect(path).name == "trudvsem-xml"
    items = list(TrudvsemXML().read(path))
    assert [i.kind for i in items] == ["resume"] * 3
    a, b, c = (i.record for i in items)
    assert a["region_raw"] == "Москва" and a["profession_code_raw"] == "104095"
    assert a["experience_months"] == 36 and a["age_band"] == "25-34" and a["gender"] == "female"
    assert a["relocation_type"] == "relocation_possible" and c["relocation_type"] == "no_relocation"
    assert a["skills_raw"] == ["Работа с кассой", "1С", "Excel"]  # the sentence with a phone is dropped
    assert a["updated_at"] == datetime(2023, 12, 20) and a["observed_at"] == datetime(2023, 12, 31, 4, 30, 41)
    assert [(j["job_title"], str(j["date_from"]), j["date_to"] and str(j["date_to"])) for j in a["_career"]] == [
        ("Кассир", "2015-01-10", "2019-02-01"),
        ("Продавец", "2019-03-01", None),
    ]
    assert b["salary_amount"] == -500  # quarantined by the ingest, with its reason
    assert c["created_at"] is None and c["updated_at"] == datetime(2023, 11, 11)  # the epoch date is an error
    assert c["region_raw"] == "Республика Татарстан" and c["skills_raw"] == ["Выпечка хлеба"]
    assert c["age_band"] == "65+"


def test_nothing_personal_reaches_the_store(tmp_path, store):
    path = _dump(tmp_path, CV_GEN1 + CV_GEN2)
    result = ingest_snapshot(store, path)
    assert (result.read, result.new, result.quarantined) == (3, 2, 1)
    assert store.con.execute("SELECT reason FROM quarantine").fetchall() == [("negative salary (salary_amount=-500)",)]
    dump = "\n".join(
        str(row)
        for t in ("resumes", "career_history", "versions", "presence", "quarantine", "observations")
        for row in store.con.execute(f"SELECT * FROM {t}").fetchall()
    )
    for secret in (
        "Петрова",
        "anna@example.org",
        "900 000",
        "Тайная",
        "Сидоров",
        "Ивану",
        "cand-9",
        "c1",
        "1990-06-01",
    ):
        assert secret not in dump, secret
    assert store.con.execute("SELECT job_title FROM career_history ORDER BY position").fetchall() == [
        ("Кассир",),
        ("Продавец",),
    ]


def test_vacancy_response_invitation_and_dictionaries(tmp_path):
    vac = _dump(
        tmp_path,
        f"""<vacancy about="{R}vacancy/v.xml#v1"><identifier>v1</identifier>
        <region resource="{R}regions/r.xml#9100000000000"/><profession resource="{R}professions/p.xml#100817"/>
        <title>Водитель</title><baseSalary><salaryMin>0</salaryMin><salaryMax>70000</salaryMax></baseSalary>
        <datePosted>2023-12-01</datePosted><requirements><experienceRequirements>5</experienceRequirements></requirements>
        <innerInfo><deleted>Да</deleted></innerInfo></vacancy>""",
        root="vacancies",
    )
    (v,) = [i.record for i in TrudvsemXML().read(vac)]
    assert (v["source_id"], v["region_raw"], v["salary_from"], v["salary_to"]) == ("v1", "Республика Крым", None, 70000)
    assert v["experience_raw"] == "between3And6" and v["archived"] is True
    resp = tmp_path / "r"
    resp.mkdir()
    path = _dump(
        resp,
        f"""<response about="{R}response/x.xml#r1"><identifier>r1</identifier><candidateId>k</candidateId>
        <idCv>c1</idCv><idVacancy>v1</idVacancy><creationDate>2023-12-02</creationDate><isNew>Новый отклик</isNew>
        </response>""",
        root="responses",
    )
    (r,) = [i.record for i in TrudvsemXML().read(path)]
    assert (r["kind"], r["cv_id"], r["vacancy_source_id"]) == ("response", "c1", "v1")
    prof = tmp_path / "p"
    prof.mkdir()
    path = _dump(
        prof,
        f"""<profession about="{R}professions/p.xml#100817"><name>Водитель автомобиля</name>
        <category>Рабочие</category><active>true</active></profession>""",
        root="professions",
    )
    (p,) = [i.record for i in TrudvsemXML().read(path)]
    assert (p["dictionary"], p["code"], p["name"], p["active"]) == (
        "professions",
        "100817",
        "Водитель автомобиля",
        True,
    )


def test_dataset_from_head_ignores_references_and_root():
    assert dataset_of(b'<anything><cv about="x#1"><region resource="y#2"/>') == "cv"
    assert dataset_of(b'<r><response about="x#1"><vacancy resource="y#2"/>') == "response"
    assert snapshot_of("data-20231130T041201-structure-20161130T143000.xml.gz") == datetime(2023, 11, 30, 4, 12, 1)


def test_truncated_gzip_is_an_error_not_a_short_file(tmp_path):
    path = _dump(tmp_path, CV_GEN1 * 200, gz=True)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(UnreadableFileError, match="read failed"):
        list(TrudvsemXML("cv").read(path))


def test_skill_terms_keep_terms_drop_text():
    html = "<ul><li>Python</li><li>SQL</li></ul><p>Я очень ответственный и люблю работать с людьми каждый день</p>"
    assert skill_terms(html) == ["Python", "SQL"]
    assert skill_terms("<p>пишите на mail@example.org</p>") == []


def test_real_api_answers(tmp_path):
    full = list(TrudvsemJSON().read(API / "vacancies__inn_7826087713_p0.json"))
    assert len(full) == 6 and all(i.record for i in full)
    first = full[0].record
    assert first["source_id"] == "9b912498-fa9f-11f0-a027-0dd543315e5a"
    assert (first["region_raw"], first["profession_code_raw"], first["salary_from"], first["salary_to"]) == (
        "Красноярский край",
        "104095",
        43350.0,
        45000.0,
    )
    assert first["salary_currency"] == "RUR" and first["observed_at"] == datetime(2026, 9, 14, 14, 35, 30)
    assert len(list(TrudvsemJSON().read(API / "vacancies__inn_7810495210_p0_trimmed.json"))) == 3
    assert list(TrudvsemJSON().read(API / "empty_results.json")) == []
