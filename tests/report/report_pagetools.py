"""Reading published figures back from a report page (the cells' data attributes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["Page", "parse", "rows_by", "ADDRESS", "START", "END"]

#: the range of the test store's simulated supply
START, END = "2022-01", "2022-06"


class Page(HTMLParser):
    """Rows of the tables by id: ``tables[id]`` = list of (row attributes, {col: (data-value, text)})."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[tuple[dict, dict]]] = {}
        self.tags: list[str] = []
        self.attrs_all: list[tuple[str, dict]] = []
        self._table: str | None = None
        self._row: tuple[dict, dict] | None = None
        self._cell: tuple[str, str] | None = None
        self._text: list[str] = []
        self.headline: dict | None = None
        self._headline_cell = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs_all.append((tag, a))
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = (a, {})
        elif tag == "td" and self._row is not None and "data-col" in a:
            self._cell = (a["data-col"], a.get("data-value", ""))
            self._text = []
        elif tag == "div" and a.get("class") == "big":
            self.headline = {"value": a.get("data-value")}
            self._headline_cell = True
            self._text = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row[1][self._cell[0]] = (self._cell[1], "".join(self._text).strip())
            self._cell = None
        elif tag == "div" and self._headline_cell:
            self.headline["text"] = "".join(self._text).strip()
            self._headline_cell = False
        elif tag == "tr" and self._row is not None and self._table:
            if self._row[1]:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None or self._headline_cell:
            self._text.append(data)


def parse(text: str) -> Page:
    p = Page()
    p.feed(text)
    return p


def rows_by(page: Page, table: str, key: str) -> dict[str, dict]:
    return {attrs[key]: cells for attrs, cells in page.tables.get(table, [])}


ADDRESS = re.compile(r"https?://", re.IGNORECASE)
