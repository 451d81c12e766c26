"""The no-blame check (WWP EN B.1 g) as rules per locale: every rule's own examples, the normalisation (case,
NFKC, diacritics, shadda, tatweel, umlauts), negation scope, contexts, a locale without rules, and the
shipped catalogs passing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal import content_ruleset
from portal.content_normal import normalise
from portal.content_rules import RulesError, check, check_all, rules_locales
from portal.content_ruleset import RULES_DIR, parse_rules, rule_set
from portal.i18n import LOCALES

ROOT = Path(__file__).resolve().parent.parent


def names(text: str, locale: str, context: str = "text") -> set[str]:
    return {finding.rule for finding in check_all(text, locale, context)}


def families(text: str, locale: str, context: str = "text") -> set[str]:
    return {finding.family for finding in check_all(text, locale, context)}


# --- the data ----------------------------------------------------------------------------------------------

def test_every_shipped_locale_has_rules_of_every_family():
    assert set(LOCALES) <= set(rules_locales())
    for locale in LOCALES:
        rules = rule_set(locale).rules
        assert {rule.family for rule in rules} == {"blame", "overstatement", "naming"}, locale
        assert all(content_ruleset.NAME.match(rule.name) for rule in rules)


def _examples() -> list[tuple[str, str, str, bool]]:
    cases = []
    for locale in rules_locales():
        for rule in rule_set(locale).rules:
            cases += [(locale, rule.name, text, True) for text in rule.match]
            cases += [(locale, rule.name, text, False) for text in rule.no_match]
    return cases


@pytest.mark.parametrize(("locale", "rule", "text", "flagged"), _examples())
def test_every_rule_matches_its_examples_and_not_its_counter_examples(locale, rule, text, flagged):
    applies_to = next(r.applies_to for r in rule_set(locale).rules if r.name == rule)
    context = "sms" if applies_to == "sms_title" else "text"
    assert (rule in names(text, locale, context)) is flagged


def test_a_shipped_locale_without_rules_fails_the_check(monkeypatch, tmp_path):
    for path in RULES_DIR.glob("*.json"):
        if path.stem != "de":
            (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(content_ruleset, "RULES_DIR", tmp_path)
    rule_set.cache_clear()
    try:
        with pytest.raises(RulesError, match="no content rules for locale 'de'"):
            check("Hallo", "de")
        from portal.content_lint import lint_catalogs
        found = [item for item in lint_catalogs(["de"]) if item.finding.rule == "rules.missing"]
        assert len(found) == 1
    finally:
        rule_set.cache_clear()


@pytest.mark.parametrize(("change", "message"), [
    ({"name": "Blame Him"}, "name must be unique"),
    ({"family": "rudeness"}, "family must be one of"),
    ({"applies_to": "everywhere"}, "applies_to must be one of"),
    ({"patterns": ["(unclosed"]}, "does not compile"),
    ({"match": []}, "expected a list of non-empty texts"),
])
def test_a_broken_rule_is_refused_naming_the_file_and_the_rule(change, message):
    rule = {"name": "blame.x", "family": "blame", "patterns": ["help him"], "match": ["help him"],
            "no_match": ["hello"], **change}
    data = {"language": {"negation": ["not"]}, "rules": [rule]}
    with pytest.raises(RulesError, match=message):
        parse_rules(json.loads(json.dumps(data)), "en", "en.json")


# --- normalisation -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "locale", "folded"), [
    ("Make SURE he goes!", "en", " make sure he goes . "),
    ("ｍａｋｅ　ｓｕｒｅ he goes", "en", " make sure he goes "),  # full-width letters and space (NFKC)
    ("Sie müssen / Sie muessen", "de", " sie muessen sie muessen "),
    ("Straße", "de", " strasse "),
    ("نجاحُه يعتمـــد عليكِ", "ar", " نجاحه يعتمد عليك "),  # damma, tatweel, kasra
    ("ذكّريه", "ar", " ذكريه "),  # shadda
    ("٩٥٪", "ar", " 95 % "),
    ("men's group — can’t", "en", " mens group , cant "),
])
def test_text_is_normalised_before_any_rule_reads_it(text, locale, folded):
    assert normalise(text, locale).text == folded


@pytest.mark.parametrize(("text", "locale"), [
    ("Make sure he goes.", "en"),
    ("ＭＡＫＥ ＳＵＲＥ ＨＥ ＧＯＥＳ.", "en"),
    ("Sorgen Sie dafür, dass er hingeht.", "de"),
    ("Sorgen Sie dafuer, dass er hingeht.", "de"),
    ("تأكدي من أنه يذهب.", "ar"),
    ("تأكّدي مِن أنّه يذهب.", "ar"),
    ("تـأكـدي من أنه يذهب.", "ar"),
    ("ذكّريه بموعده.", "ar"),
])
def test_diacritics_shadda_tatweel_and_width_do_not_defeat_a_rule(text, locale):
    assert "blame" in families(text, locale)


def test_a_matched_phrase_is_given_in_her_own_spelling():
    [finding] = [f for f in check("Bitte sorgen Sie dafür, dass er hingeht.", "de")]
    assert finding.detail == "sorgen Sie dafür, dass er"
    [arabic] = check("ذكّريه بموعده", "ar")
    assert arabic.detail == "ذكّريه"


# --- negation scope ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "locale"), [
    ("It is not your job to make sure he goes.", "en"),
    ("You never have to make sure he goes.", "en"),
    ("Making sure he goes is not your job.", "en"),
    ("There is no guarantee that he will change.", "en"),
    ("Es ist nicht Ihre Aufgabe, dafür zu sorgen, dass er hingeht.", "de"),
    ("Es gibt keine Garantie, dass er sich ändert.", "de"),
    ("ليس من واجبكِ أن تتأكدي من أنه يذهب.", "ar"),
    ("لا يوجد ضمان بأنه سيتغير.", "ar"),
])
def test_a_negation_that_governs_the_clause_switches_the_rule_off(text, locale):
    assert check(text, locale) == []


@pytest.mark.parametrize(("text", "locale"), [
    ("This is not easy. Make sure he goes.", "en"),  # the negation is in the sentence before
    ("It is not hard, but make sure he goes.", "en"),  # ... or before "but"
    ("Make sure he goes. It is not your choice.", "en"),  # ... or in the sentence after
    ("Nobody likes it, but he will change.", "en"),
    ("Das ist nicht leicht. Sorgen Sie dafür, dass er hingeht.", "de"),
    ("Es ist nicht leicht, aber sorgen Sie dafür, dass er hingeht.", "de"),
    ("ليس الأمر سهلاً. تأكدي من أنه يذهب.", "ar"),
    ("ليس الأمر سهلاً، لكن تأكدي من أنه يذهب.", "ar"),
    ("Try not to upset him.", "en"),  # the negation is part of what blames her
    ("حاولي ألا تغضبيه.", "ar"),
])
def test_a_negation_outside_the_clause_does_not_switch_the_rule_off(text, locale):
    assert check(text, locale), text


def test_reported_speech_is_his_words_not_ours():
    assert check("He may say that it takes two. That is not true.", "en") == []
    assert check("It takes two. That is not true.", "en")


# --- honest text and contexts ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "locale"), [
    ("Are you safe now?", "en"), ("Sind Sie jetzt in Sicherheit?", "de"), ("هل أنتِ في أمان الآن؟", "ar"),
    ("It takes two minutes.", "en"), ("Make sure you have a safe way to contact us.", "en"),
    ("Attending is not the same as changing.", "en"),
])
def test_honest_text_passes(text, locale):
    assert check_all(text, locale) == []


def test_naming_applies_to_sms_and_titles_only():
    text = "About the domestic abuse programme"
    assert families(text, "en", "text") == set()
    assert families(text, "en", "sms") == {"naming"} == families(text, "en", "title")
    assert "giveaway" in names("A note about his course", "en", "title")
    assert names("A note about his course", "en", "text") == set()


# --- the shipped catalogs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_no_shipped_catalog_text_blames_her_or_overstates(locale):
    from portal.content_lint import catalog
    problems = [f"{f.rule} ({f.detail}) in {text!r}" for text in catalog(locale).values() for f in check(text, locale)]
    assert problems == []
