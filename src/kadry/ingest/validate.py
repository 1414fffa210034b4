"""The checks that send a readable record to quarantine instead of the store."""

from __future__ import annotations

__all__ = ["validate", "KNOWN_CURRENCIES"]

#: currencies hh, trudvsem and the CBR tables use; anything else cannot be converted honestly
KNOWN_CURRENCIES = {
    "RUR", "RUB", "USD", "EUR", "KZT", "UAH", "BYR", "BYN", "AZN", "UZS", "GEL", "KGS", "AMD",
    "GBP", "CNY", "TRY", "RSD", "PLN", "CHF", "JPY", "ILS", "AED", "TJS", "MDL", "CZK", "SEK",
}


def validate(kind: str, record: dict) -> str | None:
    """The quarantine reason for a record, or None if it may be stored."""
    if record.get("source_id") in (None, ""):
        return "missing id"
    if kind == "vacancy" and not record.get("title"):
        return "missing title"
    amounts = ("salary_from", "salary_to") if kind == "vacancy" else ("salary_amount",)
    for name in amounts:
        value = record.get(name)
        if value is not None and value < 0:
            return f"negative salary ({name}={value:g})"
    currency = record.get("salary_currency")
    if currency is not None and str(currency).upper() not in KNOWN_CURRENCIES:
        return f"unknown currency: {str(currency)[:12]}"
    if any(record.get(name) is not None for name in amounts) and currency is None and kind == "vacancy":
        # hh flat exports leave the currency empty only with no salary; a bare number is ambiguous
        return "salary without currency"
    months = record.get("experience_months")
    if months is not None and (months < 0 or months > 12 * 80):
        return f"impossible experience: {months} months"
    return None
