"""Small readers of the labelled real files that matching is evaluated on.

They read what evaluation needs (title, hh role, skills, place, salary, experience, and for
the fairness check age band and gender) straight from the files, so the evaluation does not
depend on the ingest stage. Names, contacts, URLs and free text are never read.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from kadry.schema import age_band, experience_band

__all__ = [
    "CITY_PLACES",
    "place_of",
    "read_roles_csv",
    "read_hh_api_dir",
    "read_frontend_resumes",
    "read_ios_resumes",
    "read_java_resumes",
    "parse_money",
    "parse_months",
]

#: the cities of the evaluation files -> (country, federal subject); others -> country only
CITY_PLACES = {
    "москва": ("RU", "RU-MOW"),
    "зеленоград": ("RU", "RU-MOW"),
    "санкт-петербург": ("RU", "RU-SPE"),
    "колпино": ("RU", "RU-SPE"),
    "пушкин": ("RU", "RU-SPE"),
    "зеленогорск": ("RU", "RU-SPE"),
    "петергоф": ("RU", "RU-SPE"),
    "кронштадт": ("RU", "RU-SPE"),
    "екатеринбург": ("RU", "RU-SVE"),
    "первоуральск": ("RU", "RU-SVE"),
    "верхняя пышма": ("RU", "RU-SVE"),
    "новосибирск": ("RU", "RU-NVS"),
    "казань": ("RU", "RU-TA"),
    "нижний новгород": ("RU", "RU-NIZ"),
    "краснодар": ("RU", "RU-KDA"),
    "ростов-на-дону": ("RU", "RU-ROS"),
    "самара": ("RU", "RU-SAM"),
    "тюмень": ("RU", "RU-TYU"),
    "челябинск": ("RU", "RU-CHE"),
    "уфа": ("RU", "RU-BA"),
    "воронеж": ("RU", "RU-VOR"),
    "пермь": ("RU", "RU-PER"),
    "омск": ("RU", "RU-OMS"),
    "минск": ("BY", None),
    "гомель": ("BY", None),
    "брест": ("BY", None),
    "гродно": ("BY", None),
    "витебск": ("BY", None),
    "могилев": ("BY", None),
    "алматы": ("KZ", None),
    "астана": ("KZ", None),
    "караганда": ("KZ", None),
    "ташкент": ("UZ", None),
    "бишкек": ("KG", None),
    "ош": ("KG", None),
    "ереван": ("AM", None),
    "тбилиси": ("GE", None),
}


def place_of(city: str | None) -> tuple[str | None, str | None]:
    """(country_code, region_code) of a city name from the files, or (None, None)."""
    if not city:
        return None, None
    key = re.sub(r"\s*\(.*\)\s*$", "", city.strip().lower().replace("ё", "е")).strip()
    return CITY_PLACES.get(key, (None, None))


def parse_money(text: str | None) -> tuple[float | None, str | None]:
    """'250 000 ₽ на руки' -> (250000.0, 'RUR'); '3 000 $' -> (3000.0, 'USD')."""
    if not text:
        return None, None
    digits = re.sub(r"[^\d]", "", text.split("на руки")[0])
    if not digits:
        return None, None
    currency = "USD" if "$" in text else "EUR" if "€" in text else "RUR"
    value = float(digits)
    return (value if value > 0 else None), currency


def parse_months(text: str | None) -> int | None:
    """'6 лет 8 месяцев' / 'Опыт работы 1 год 10 месяцев' -> months."""
    if not text:
        return None
    years = re.search(r"(\d+)\s*(?:год|года|лет)", text)
    months = re.search(r"(\d+)\s*месяц", text)
    if not years and not months:
        return None
    return (int(years.group(1)) * 12 if years else 0) + (int(months.group(1)) if months else 0)


def read_roles_csv(path: Path) -> list[dict]:
    """hh-roles-3cities-2026/hh_vacancies.csv: title and hh role id per vacancy."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            country, region = place_of(row["city"])
            lo = float(row["salary_from"]) if row.get("salary_from") else None
            hi = float(row["salary_to"]) if row.get("salary_to") else None
            rub = row.get("salary_currency") == "RUR"
            out.append(
                {
                    "vacancy_id": f"hh:{row['id']}",
                    "source": "hh",
                    "source_id": row["id"],
                    "title": row["title"],
                    "role_id": row["role_id"] or None,
                    "region_raw": row["city"],
                    "country_code": country,
                    "region_code": region,
                    "experience": row["experience"] or None,
                    "salary_rub_from": lo if rub else None,
                    "salary_rub_to": hi if rub else None,
                }
            )
    return out


def read_hh_api_dir(folder: Path) -> list[dict]:
    """A folder of api.hh.ru vacancy JSON files: title, roles, key skills, area, experience."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        roles = [r["id"] for r in d.get("professional_roles") or []]
        area = (d.get("area") or {}).get("name")
        country, region = place_of(area)
        out.append(
            {
                "vacancy_id": f"hh:{d['id']}",
                "source": "hh",
                "source_id": str(d["id"]),
                "title": d.get("name"),
                "role_id": roles[0] if roles else None,
                "role_ids": roles,
                "region_raw": area,
                "country_code": country,
                "region_code": region,
                "experience": (d.get("experience") or {}).get("id"),
                "skills": [s["name"] for s in d.get("key_skills") or []] or None,
            }
        )
    return out


def _gender(text: str | None) -> str | None:
    t = (text or "").strip().lower()
    return "male" if t in ("мужчина", "male") else "female" if t in ("женщина", "female") else None


def _age(text: str | None) -> int | None:
    m = re.search(r"\d+", text or "")
    return int(m.group()) if m else None


def read_frontend_resumes(path: Path) -> list[dict]:
    """hh-frontend-2025/resumes.csv: desired position, salary, age band, gender, city."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            amount, currency = parse_money(row.get("salary"))
            country, region = place_of(row.get("location"))
            out.append(
                {
                    "resume_id": f"eval:frontend:{i}",
                    "title": row["desired_position"],
                    "salary_rub": amount if currency == "RUR" else None,
                    "country_code": country,
                    "region_code": region,
                    "age_band": age_band(_age(row.get("age"))),
                    "gender": _gender(row.get("gender")),
                }
            )
    return out


def read_ios_resumes(path: Path) -> list[dict]:
    """hh-ios-2025/resumes.csv (lenient: some rows have broken quoting)."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            title = (row.get("resume_title") or "").strip().strip('"')
            if not title:
                continue
            amount, currency = parse_money(row.get("resume_salary"))
            out.append(
                {
                    "resume_id": f"eval:ios:{i}",
                    "title": title,
                    "salary_rub": amount if currency == "RUR" else None,
                    "experience": experience_band(parse_months(row.get("experience"))),
                }
            )
    return out


def read_java_resumes(path: Path) -> list[dict]:
    """hh-java-2023/resumes.csv: title, salary, experience, age band, gender."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            amount, _ = parse_money(row.get("salary"))
            out.append(
                {
                    "resume_id": f"eval:java:{i}",
                    "title": row["name"],
                    "salary_rub": amount,
                    "experience": experience_band(parse_months(row.get("experience"))),
                    "age_band": age_band(_age(row.get("age"))),
                    "gender": _gender(row.get("sex")),
                }
            )
    return out
