"""De-identified programme reports of her evaluation answers (WWP EN B.6), for admins only.

Computed afresh from `QuestionnaireResponse` rows each time, so an erasure (which deletes her answers) takes her
out of every report. Nothing in a report names or counts a woman below 5 (suppression.py): every count is
published through `suppression.suppress`, and a proportion only when its count and its denominator are shown.

Per programme and stage, over the answers given to the current item set only (rows answered against another
`items_id`/`items_version` are left out and counted, suppressed, in `other_sets`: two item sets are never mixed):

- **Respondents**: women with an answer row for the stage (one who sent the stage without answering any question
  counts as a respondent).
- **Per item**: how many gave each answer of the scale and, where the domain may not apply, "does not apply".
  `answered` is the number who answered that question (any answer, "does not apply" included); a question she
  skipped is not counted for that item at all, and proportions are of `answered`. How many left a question out
  (respondents − answered) is not an answer of hers and is not protected: it tells nothing she said.
- **Per domain**: answers (not women: one woman answers several questions) in the two better options of the
  scale — the two highest-scored options for an item whose `better` is "high", the two lowest for "low" — versus
  the rest of the scale. "Does not apply" and skipped questions are in neither. `scored` = better + rest;
  the proportion is better / scored.
- **Paired change from intake** (every stage but intake): women with an answer row for both intake and the stage.
  For each domain, her domain score at a stage is the mean oriented score (`Item.oriented`: higher is better for
  her) of the domain's items she answered on the scale at *both* stages (a question skipped or "does not apply" at
  either stage is left out of both). No such item: she is not counted for that domain. The later score above the
  intake score: improved; equal: the same; below: got worse. (Same items at both stages, so comparing means is
  comparing sums, done exactly.)

Suppression: each stage's item and domain counts form one table (the domain sums add up item cells, so they are
protected together); each domain's paired change is one row; respondents, paired women and other-set counts are
single counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.models import EvaluationStage, QuestionnaireResponse
from portal.services.evaluation.answers import read_answers
from portal.services.evaluation.items import NOT_APPLICABLE, Item, ItemSet
from portal.services.evaluation.suppression import Sum, Visibility, suppress

CHANGES = ("improved", "same", "worse")


@dataclass(frozen=True)
class Count:
    """A published count: `value` only when shown; `visibility` says why not ("small": fewer than 5)."""

    value: int | None
    visibility: Visibility

    @property
    def shown(self) -> bool:
        return self.visibility == Visibility.SHOWN


@dataclass(frozen=True)
class Share:
    """A count and its proportion of a denominator (None unless both are shown)."""

    count: Count
    proportion: Fraction | None


@dataclass(frozen=True)
class ItemFigures:
    code: str
    domain: str
    answered: Count
    answers: tuple[tuple[str, Share], ...]  # (answer code, share of answered), the scale's order, then n/a


@dataclass(frozen=True)
class DomainFigures:
    code: str
    better: Share
    rest: Share
    scored: Count


@dataclass(frozen=True)
class PairedDomain:
    code: str
    paired: Count  # women counted for this domain
    changes: tuple[tuple[str, Share], ...]  # improved / same / worse, share of paired


@dataclass(frozen=True)
class StageReport:
    stage: str
    respondents: Count
    items: tuple[ItemFigures, ...]
    domains: tuple[DomainFigures, ...]
    paired_women: Count | None  # None at intake
    paired: tuple[PairedDomain, ...]


@dataclass(frozen=True)
class OtherSet:
    items_id: str
    items_version: str
    responses: Count


@dataclass(frozen=True)
class ProgrammeReport:
    programme_id: uuid.UUID
    items_id: str
    items_version: str
    official: bool
    stages: tuple[StageReport, ...]
    other_sets: tuple[OtherSet, ...]


def better_options(items: ItemSet, item: Item) -> tuple[str, ...]:
    """The two options at the better end of the scale for this item."""
    ordered = [o.code for o in sorted(items.scale, key=lambda o: o.score)]
    return tuple(ordered[-2:] if item.better == "high" else ordered[:2])


def _count(values: Mapping[str, int], shown: Mapping[str, Visibility], name: str) -> Count:
    how = shown[name]
    return Count(values[name] if how == Visibility.SHOWN else None, how)


def _share(values: Mapping[str, int], shown: Mapping[str, Visibility], name: str, of: str) -> Share:
    count = _count(values, shown, name)
    if count.shown and shown[of] == Visibility.SHOWN and values[of]:
        return Share(count, Fraction(values[name], values[of]))
    return Share(count, None)


def _single(value: int) -> Count:
    return _count({"n": value}, suppress({"n": value}, []), "n")


def stage_counts(items: ItemSet, answers: Sequence[Mapping[str, str]]) -> tuple[dict[str, int], list[Sum]]:
    """Every count of one stage's table (respondents, item cells, domain sums) and the sums that tie them."""
    values: dict[str, int] = {"respondents": len(answers)}
    sums: list[Sum] = []
    for item in items.items:
        given = [a[item.code] for a in answers if item.code in a]
        codes = items.answers_for(item)
        for code in codes:
            values[f"{item.code}.{code}"] = sum(1 for g in given if g == code)
        values[f"{item.code}.answered"] = len(given)
        sums.append(Sum(f"{item.code}.answered", tuple(f"{item.code}.{code}" for code in codes)))
    for domain in items.domains:
        better: list[str] = []
        rest: list[str] = []
        for item in domain.items:
            top = better_options(items, item)
            for option in items.scale:
                (better if option.code in top else rest).append(f"{item.code}.{option.code}")
        values[f"{domain.code}.better"] = sum(values[n] for n in better)
        values[f"{domain.code}.rest"] = sum(values[n] for n in rest)
        values[f"{domain.code}.scored"] = values[f"{domain.code}.better"] + values[f"{domain.code}.rest"]
        sums += [Sum(f"{domain.code}.better", tuple(better)), Sum(f"{domain.code}.rest", tuple(rest)),
                 Sum(f"{domain.code}.scored", (f"{domain.code}.better", f"{domain.code}.rest"))]
    return values, sums


def _stage_tables(items: ItemSet, answers: Sequence[Mapping[str, str]]
                  ) -> tuple[Count, tuple[ItemFigures, ...], tuple[DomainFigures, ...]]:
    values, sums = stage_counts(items, answers)
    shown = suppress(values, sums)
    item_figures = tuple(
        ItemFigures(item.code, item.domain, _count(values, shown, f"{item.code}.answered"),
                    tuple((code, _share(values, shown, f"{item.code}.{code}", f"{item.code}.answered"))
                          for code in items.answers_for(item)))
        for item in items.items)
    domain_figures = tuple(
        DomainFigures(d.code, _share(values, shown, f"{d.code}.better", f"{d.code}.scored"),
                      _share(values, shown, f"{d.code}.rest", f"{d.code}.scored"),
                      _count(values, shown, f"{d.code}.scored"))
        for d in items.domains)
    return _count(values, shown, "respondents"), item_figures, domain_figures


def change(items: ItemSet, domain_items: Sequence[Item], before: Mapping[str, str],
           after: Mapping[str, str]) -> str | None:
    """Her change in one domain (the module's rule): "improved", "same", "worse", or None (no item in common)."""
    top = items.top
    first = later = 0
    common = 0
    for item in domain_items:
        a, b = items.score(before.get(item.code, NOT_APPLICABLE)), items.score(after.get(item.code, NOT_APPLICABLE))
        if a is None or b is None:
            continue
        common += 1
        first += item.oriented(a, top)
        later += item.oriented(b, top)
    if not common:
        return None
    return "improved" if later > first else "same" if later == first else "worse"


def _paired(items: ItemSet, pairs: Sequence[tuple[Mapping[str, str], Mapping[str, str]]]) -> tuple[PairedDomain, ...]:
    result = []
    for domain in items.domains:
        tally = dict.fromkeys(CHANGES, 0)
        for before, after in pairs:
            moved = change(items, domain.items, before, after)
            if moved is not None:
                tally[moved] += 1
        values = {**tally, "paired": sum(tally.values())}
        shown = suppress(values, [Sum("paired", CHANGES)])
        result.append(PairedDomain(domain.code, _count(values, shown, "paired"),
                                   tuple((name, _share(values, shown, name, "paired")) for name in CHANGES)))
    return tuple(result)


def programme_report(db: Session, vault: Vault, items: ItemSet, programme_id: uuid.UUID) -> ProgrammeReport:
    """The programme's report, every stage, suppressed (the module's rules)."""
    rows = list(db.scalars(select(QuestionnaireResponse).where(QuestionnaireResponse.programme_id == programme_id)))
    current: dict[str, dict[uuid.UUID, dict[str, str]]] = {stage: {} for stage in EvaluationStage.ALL}
    others: dict[tuple[str, str], int] = {}
    for row in rows:
        if (row.items_id, row.items_version) != (items.id, items.version):
            key = (row.items_id, row.items_version)
            others[key] = others.get(key, 0) + 1
            continue
        if row.stage in current and row.partner_id is not None:
            current[row.stage][row.partner_id] = read_answers(vault, row)
    intake = current[EvaluationStage.INTAKE]
    stages = []
    for stage in EvaluationStage.ALL:
        answers = current[stage]
        respondents, item_figures, domain_figures = _stage_tables(items, list(answers.values()))
        if stage == EvaluationStage.INTAKE:
            stages.append(StageReport(stage, respondents, item_figures, domain_figures, None, ()))
            continue
        pairs = [(intake[who], answers[who]) for who in answers if who in intake]
        stages.append(StageReport(stage, respondents, item_figures, domain_figures, _single(len(pairs)),
                                  _paired(items, pairs)))
    other_sets = tuple(OtherSet(i, v, _single(n)) for (i, v), n in sorted(others.items()))
    return ProgrammeReport(programme_id, items.id, items.version, items.official, tuple(stages), other_sets)
