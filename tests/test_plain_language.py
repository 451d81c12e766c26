"""Plain language on her pages (issue 14): the English source reads at grade 8 or below (Flesch-Kincaid, measured
with textstat), and sentences stay short in every shipped locale.

Every page of hers that takes no address variable is fetched as she sees it (signed in, in each locale); the
words of its <main> are measured, one sentence per heading, list item, label or button as well as per full stop
(the choices of a drop-down are left out: a list of time zones is not a sentence).
"""

from __future__ import annotations

import html
import re

import pytest
import textstat

from portal.i18n import LOCALES
from tests.factories import make_world
from tests.public_helpers import her_client

MAX_GRADE = 8.0
MAX_AVERAGE_WORDS = 15.0
MAX_SENTENCE_WORDS = 40
SENTENCE_END = re.compile(r"(?<=[.?!:؟;])\s+")


def words_of(page: str) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    body = main.group(1) if main else page
    body = re.sub(r"<(script|style|select)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<(h[1-6]|li|p|dt|dd|legend|label|button|summary|td|th|div)\b[^>]*>", "\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return " ".join(line if line.endswith((".", "?", "!", ":", "؟")) else line + "." for line in lines if line)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if len(s.split()) > 1 or s.strip(".")]


def her_pages(app, client, locale: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    pages = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("public.") and rule.rule != "/exit" and not rule.arguments \
                and "GET" in (rule.methods or ()):  # (the exit ends her session: it has no words of its own)
            response = client.get(f"{rule.rule}?lang={locale}")
            if response.status_code == 200 and response.mimetype == "text/html":
                pages[rule.rule] = words_of(response.get_data(as_text=True))
    return pages


def test_the_measure_tells_plain_words_from_dense_ones():
    plain = "It is your choice. You can stop at any time. Nobody will ask you why."
    dense = ("Notwithstanding the aforementioned considerations, participation in the evaluative instrument "
             "constitutes a voluntary undertaking, the discontinuation of which occasions no adverse "
             "administrative consequences whatsoever for the respondent or her dependants.")
    assert textstat.flesch_kincaid_grade(plain) <= 3 < MAX_GRADE < textstat.flesch_kincaid_grade(dense)
    assert max(len(s.split()) for s in sentences(words_of(f"<main><p>{dense}</p></main>"))) == 29


@pytest.fixture
def her(app, dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    world = make_world(dbs, vault, audit_key)
    dbs.commit()
    return her_client(app, world.partner)


def test_her_pages_in_english_read_at_grade_8_or_below(app, her):
    pages = her_pages(app, her, "en")
    assert len(pages) >= 15, sorted(pages)
    grades = {path: textstat.flesch_kincaid_grade(text) for path, text in pages.items()}
    assert {path: grade for path, grade in grades.items() if grade > MAX_GRADE} == {}, grades


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_her_sentences_are_short_in_every_locale(app, her, locale):
    for path, text in her_pages(app, her, locale).items():
        lengths = [len(s.split()) for s in sentences(text)]
        assert lengths, path
        assert sum(lengths) / len(lengths) <= MAX_AVERAGE_WORDS, (locale, path, sum(lengths) / len(lengths))
        longest = max(sentences(text), key=lambda s: len(s.split()))
        assert len(longest.split()) <= MAX_SENTENCE_WORDS, (locale, path, longest)
