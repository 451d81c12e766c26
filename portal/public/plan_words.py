"""Her words for her plan: what matters most to her, each part's neutral title, and each question it asks.

Every title here may show on a first screen (her plan's page lists them), so none names him, the children,
separation or danger: the telling detail sits one tap further, in each part's guidance
(templates/public/_plan_guidance.html). The questions show on a part's page, which she chose to open.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.services.her.safety_plan import FIELDS

PRIORITY_LABELS = {
    "safety": _l("Feeling safe, for me"),
    "children": _l("My children"),
    "privacy": _l("Keeping things private"),
    "money_housing": _l("Money and a place to live"),
    "feelings": _l("My feelings about the relationship"),
    "staying_leaving": _l("Whether to stay or to go"),
}

# A neutral address for each part (the address bar is on the first screen): /plan/part/<slug>.
PART_SLUGS = {
    "people": "people", "places": "places", "documents": "things", "children": "family", "emergency": "quick",
    "after_separation": "later", "technology": "phone", "support": "numbers",
}
SECTION_OF_SLUG = {slug: section for section, slug in PART_SLUGS.items()}

PART_TITLES = {
    "people": _l("People you trust"),
    "places": _l("Places you could go"),
    "documents": _l("Things to keep ready"),
    "children": _l("Your family"),
    "emergency": _l("If you need to go quickly"),
    "after_separation": _l("Later on"),
    "technology": _l("Your phone and accounts"),
    "support": _l("Useful numbers"),
}

FIELD_LABELS = {
    "people.contacts": _l("Who could you call or go to, and how can you reach them?"),
    "people.code_word": _l("A code word or sign you agree with them, and what it means"),
    "people.signal": _l("Anything else they could do for you, if you ask"),
    "places.safe_places": _l("Where could you go at short notice, day or night?"),
    "places.routes": _l("How would you get there?"),
    "documents.papers": _l("Papers you may want copies of, and where you keep them"),
    "documents.bag": _l("What you would take with you"),
    "documents.bag_kept": _l("Where it could be kept, and who could keep it for you"),
    "children.what_they_do": _l("What the children know to do if things get difficult"),
    "children.school": _l("What their school or nursery knows, and who may collect them"),
    "children.who_collects": _l("Who could look after them, or take them somewhere for you"),
    "emergency.way_out": _l("How you could get out, and where you would go"),
    "emergency.transport": _l("How you would get there: a taxi number, a bus, a lift from someone"),
    "emergency.money": _l("Money, keys and a phone you could take or keep somewhere else"),
    "after_separation.home": _l("Your home: locks, keys, who knows your address"),
    "after_separation.routines": _l("Your routines: the way to work or school, times and places you could change"),
    "after_separation.legal": _l("Advice you may want: housing, money, the law"),
    "technology.phone": _l("Your phone: who could see it or check it"),
    "technology.accounts": _l("Your accounts and passwords: which ones someone else may know"),
    "technology.location": _l("Location sharing and shared devices you may want to check"),
    "support.services": _l("Services and helplines"),
    "support.notes": _l("Other numbers or notes"),
}

# The harmless plan her second passphrase opens: she may write what it says in these fields when she sets up.
DECOY_FIELDS = ("people.contacts", "support.services", "support.notes")


def ordered_parts(order: tuple[str, ...]) -> list[dict[str, object]]:
    """Her parts in her order, each with its slug, title and field codes."""
    return [{"section": section, "slug": PART_SLUGS[section], "title": PART_TITLES[section],
             "fields": [f"{section}.{name}" for name in FIELDS[section]]} for section in order]

