"""Keywords in every locale: trimmed, any case, accents and trailing punctuation ignored."""

from __future__ import annotations

import pytest

from portal.i18n import LOCALES
from portal.sms.keywords import KEYWORDS, Action, match, reads_like_stop

ISSUE_KEYWORDS = {
    Action.OPT_OUT: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"],
    Action.OPT_IN: ["START", "YES", "UNSTOP"],
    Action.HELP: ["HELP", "INFO"],
}


def variants(word: str) -> list[str]:
    """How people actually type a keyword."""
    return [word, word.lower(), word.title(), f"  {word}  ", f"{word}.", f"{word}!!", f"{word} ?",
            f"\t{word.lower()}\n", f"{word}؟", f"{word}…", f"{word} 🙂"]


@pytest.mark.parametrize("row", KEYWORDS, ids=lambda k: f"{k.locale}-{k.word}")
def test_every_keyword_in_every_locale_matches_in_every_spelling(row):
    for text in variants(row.word):
        found = match(text)
        assert found is not None and found.action is row.action, repr(text)


@pytest.mark.parametrize("action, words", ISSUE_KEYWORDS.items())
def test_the_standard_english_keywords_are_all_there(action, words):
    for word in words:
        assert match(word).action is action


def test_every_supported_locale_has_opt_out_opt_in_and_help_words():
    for locale in LOCALES:
        actions = {k.action for k in KEYWORDS if k.locale == locale}
        assert actions == set(Action), locale


@pytest.mark.parametrize("text, action", [
    ("arret", Action.OPT_OUT), ("ARRÊT", Action.OPT_OUT), ("Arrêt!", Action.OPT_OUT), ("alto", Action.OPT_OUT),
    ("Halt.", Action.OPT_OUT), ("stopp", Action.OPT_OUT), ("Aufhoren", Action.OPT_OUT),
    ("AUFHÖREN", Action.OPT_OUT), ("hilfe?", Action.HELP), ("Anmelden", Action.OPT_IN),
    ("توقف", Action.OPT_OUT), ("تَوَقَّف", Action.OPT_OUT), ("توقف.", Action.OPT_OUT), ("الغاء", Action.OPT_OUT),
    ("إلغاء", Action.OPT_OUT), ("ابدا", Action.OPT_IN), ("مساعده", Action.HELP), ("opt-out", Action.OPT_OUT),
    ("Opt  Out", Action.OPT_OUT), ("ＳＴＯＰ", Action.OPT_OUT),
])
def test_accents_diacritics_letter_variants_and_widths_are_ignored(text, action):
    assert match(text).action is action


@pytest.mark.parametrize("text", ["stop it now please", "Can we talk?", "yes please call me", "hello", "",
                                  "   ", "STOP STOP", "helpful", "starting"])
def test_sentences_are_not_keywords(text):
    assert match(text) is None


@pytest.mark.parametrize("text", ["please stop texting me", "Stop please", "don't text me again",
                                  "leave me alone", "Bitte keine SMS mehr", "لا ترسل لي رسائل", "wrong number",
                                  "STOP STOP"])
def test_stop_like_free_text_is_recognised(text):
    assert match(text) is None and reads_like_stop(text)


@pytest.mark.parametrize("text", ["see you at the end of the week", "can you call me tomorrow", "thanks",
                                  "Danke, bis morgen", "شكرا"])
def test_ordinary_free_text_is_not_stop_like(text):
    assert not reads_like_stop(text)


# Keywords are matched in every locale at once: a one-word answer she might text in any of her languages must never
# stop her contact (a warning that silently never arrives) nor start it again.
EVERYDAY_ANSWERS = ("fine", "ok", "okay", "good", "thanks", "later", "sure", "no", "maybe", "gut", "danke", "nein", "ja",
                    "oui", "si", "sí", "sim", "tak", "так", "نعم", "بله", "ναι", "evet", "da",
                    "bien", "merci", "non", "oui", "bueno", "gracias", "vale", "bene", "grazie", "goed", "dank",
                    "nee", "dobrze", "dzięki", "nie", "bom", "obrigada", "não", "bine", "mulțumesc", "nu",
                    "καλά", "ευχαριστώ", "όχι", "iyi", "tamam", "teşekkürler", "hayır", "добре", "дякую", "ні",
                    "شكرا", "لا", "خوبم", "ممنون", "نه")


@pytest.mark.parametrize("text", EVERYDAY_ANSWERS)
def test_an_everyday_answer_in_any_language_is_no_keyword(text):
    assert match(text) is None, (text, match(text))


@pytest.mark.parametrize(("text", "action"), [("yardım", Action.HELP), ("YARDIM", Action.HELP), ("İPTAL", Action.OPT_OUT),
                                              ("iptal", Action.OPT_OUT), ("لغو", Action.OPT_OUT),
                                              ("كمك", Action.HELP), ("کمک", Action.HELP)])
def test_turkish_dotless_i_and_persian_letters_typed_on_an_arabic_keyboard_match(text, action):
    found = match(text)
    assert found is not None and found.action == action, (text, found)
