"""Shared value helpers of the readers: the fast blank collapse is the regex it replaced."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kadry.sources.base import collapse_blanks, strip_html

_REGEX = re.compile(r"[ \t\r\f\v]+")


@given(st.text(alphabet=" \t\r\f\v\n\xa0\u2009аб<>&;x", max_size=40))
def test_collapse_blanks_is_the_regex_it_replaced(text):
    assert collapse_blanks(text) == _REGEX.sub(" ", text)


def test_strip_html_keeps_paragraphs_and_drops_tags_and_blank_runs():
    html = "<p>Вести  учёт&nbsp;и\tотчётность</p><ul><li>1С</li>\r\n<li>  Excel  </li></ul>"
    assert strip_html(html) == "Вести учёт\xa0и отчётность\n1С\nExcel"
