"""Small-count suppression for published tables: no count under 5, and none that can be worked out.

A table is a set of named counts and the sums that tie them together (`Sum(total, parts)`: the parts add up to
the total). Some counts are published (shown, unless suppressed); some are not published at all but still tie
the others together (e.g. how many women skipped a question: respondents minus answered).

The rules:

1. **Primary suppression.** Every published count under `THRESHOLD` (5), zero included, is suppressed and shown
   as "fewer than 5" (`Visibility.SMALL`).
2. **Complementary suppression.** A count under 5, published or not, must not be recoverable from what is shown.
   The reader is assumed to know every sum, every shown count, that a "fewer than 5" count is 0 to 4, and that a
   count hidden for another's sake (`Visibility.HIDDEN`) is 5 or more. A small count is safe when another
   solution of all the sums exists, within those bounds, in which it has a different value: `_movable` looks for
   one (a change of one in the count, balanced by changes of one in other hidden counts). When none is found,
   one more count is hidden: the first, among the shown counts of the sums around it (parts before totals,
   nearer before further, smaller before larger), whose hiding lets it move; and the check starts again, until
   every small count can move or nothing around it is left to hide.
3. A proportion is published only when its count and its denominator are both shown (the report's rule): a
   proportion of a hidden count, or of a hidden denominator, would give the other away.

The search for another solution is bounded (`SEARCH_LIMIT` steps): when it runs out, the count is treated as
recoverable and more is hidden; the rule errs on the side of hiding.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
SEARCH_LIMIT = 5_000
MAX_TRIALS = 40  # candidates tried one by one before hiding the first anyway
_LARGE = 10**12  # no upper bound on a count hidden for another's sake


class Visibility(enum.StrEnum):
    SHOWN = "shown"
    SMALL = "small"    # under the threshold: shown as "fewer than 5"
    HIDDEN = "hidden"  # 5 or more, hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class Sum:
    total: str
    parts: tuple[str, ...]


def _bounds(value: int, threshold: int) -> tuple[int, int]:
    return (0, threshold - 1) if value < threshold else (threshold, _LARGE)


class _Search:
    """Looks for another solution of the sums in which one small count has another value."""

    def __init__(self, values: Mapping[str, int], sums: Sequence[Sum], unknown: set[str], threshold: int):
        self.values, self.unknown, self.threshold = values, unknown, threshold
        # Each sum as {name: coefficient} (parts +1, total -1), over its unknown counts only.
        self.equations: list[dict[str, int]] = []
        for one in sums:
            terms: dict[str, int] = {}
            for name in one.parts:
                terms[name] = terms.get(name, 0) + 1
            terms[one.total] = terms.get(one.total, 0) - 1
            self.equations.append({name: c for name, c in terms.items() if c and name in unknown})
        self.touching: dict[str, list[int]] = {}
        for number, terms in enumerate(self.equations):
            for name in terms:
                self.touching.setdefault(name, []).append(number)
        self.steps = 0

    def _fits(self, name: str, change: int) -> bool:
        low, high = _bounds(self.values[name], self.threshold)
        return low <= self.values[name] + change <= high

    def movable(self, name: str) -> bool:
        for sign in (1, -1):
            self.steps = 0
            if self._fits(name, sign) and self._extend({name: sign}):
                return True
        return False

    def _imbalance(self, change: dict[str, int]) -> tuple[int, int] | None:
        """The first sum the change leaves unbalanced, and by how much."""
        seen: set[int] = set()
        for name in change:
            for number in self.touching.get(name, ()):
                if number in seen:
                    continue
                seen.add(number)
                terms = self.equations[number]
                total = sum(c * change.get(n, 0) for n, c in terms.items())
                if total:
                    return number, total
        return None

    def _extend(self, change: dict[str, int]) -> bool:
        self.steps += 1
        if self.steps > SEARCH_LIMIT:
            return False
        found = self._imbalance(change)
        if found is None:
            return True
        number, off = found
        # Counts held by fewer sums first: changing one of those unbalances less (a skipped count closes at once).
        choices = sorted((n for n in self.equations[number] if n not in change),
                         key=lambda n: (len(self.touching[n]), n))
        for other in choices:
            coefficient = self.equations[number][other]
            step = -1 if off * coefficient > 0 else 1
            if self._fits(other, step):
                change[other] = step
                if self._extend(change):
                    return True
                del change[other]
                if self.steps > SEARCH_LIMIT:
                    return False
        return False


def suppress(values: Mapping[str, int], sums: Sequence[Sum], *, unpublished: Collection[str] = (),
             threshold: int = THRESHOLD) -> dict[str, Visibility]:
    """How each published count is shown (see the module's rules). `values` holds every count, published or not;
    `unpublished` names those never shown. Returns a visibility for each published count."""
    for one in sums:
        for name in (one.total, *one.parts):
            if name not in values:
                raise KeyError(name)
    hidden_always = set(unpublished)
    shown: dict[str, Visibility] = {
        name: (Visibility.SMALL if value < threshold else Visibility.SHOWN)
        for name, value in values.items() if name not in hidden_always}
    protected = [name for name, value in values.items() if value < threshold]
    safe: set[str] = set()  # proven movable: hiding more never takes that away (the old solution still holds)
    while True:
        unknown = hidden_always | {name for name, how in shown.items() if how != Visibility.SHOWN}
        search = _Search(values, sums, unknown, threshold)
        exposed = None
        for name in protected:
            if name in safe:
                continue
            if not search.movable(name):
                exposed = name
                break
            safe.add(name)
        if exposed is None:
            return shown
        extra = _next_to_hide(exposed, values, sums, shown, unknown, threshold)
        if extra is None:
            return shown  # everything around it is hidden already
        shown[extra] = Visibility.HIDDEN


def _candidates(exposed: str, sums: Sequence[Sum], shown: Mapping[str, Visibility], unknown: set[str],
                values: Mapping[str, int]) -> tuple[list[str], list[str]]:
    """Shown counts that could be hidden for `exposed`: (parts, totals) of the sums around it, each nearer
    before further (sums reached through hidden counts), smaller before larger."""
    reach, layer, depth = {exposed}, [exposed], 0
    parts: dict[str, tuple[int, int, str]] = {}
    totals: dict[str, tuple[int, int, str]] = {}
    while layer:
        holding = [one for one in sums if any(name in (one.total, *one.parts) for name in layer)]
        for one in holding:
            for name in one.parts:
                if shown.get(name) == Visibility.SHOWN:
                    parts.setdefault(name, (depth, values[name], name))
            if shown.get(one.total) == Visibility.SHOWN:
                totals.setdefault(one.total, (depth, values[one.total], one.total))
        layer = [name for one in holding for name in (*one.parts, one.total) if name in unknown and name not in reach]
        reach.update(layer)
        depth += 1
    return (sorted(parts, key=lambda name: parts[name]),
            sorted((name for name in totals if name not in parts), key=lambda name: totals[name]))


def _next_to_hide(exposed: str, values: Mapping[str, int], sums: Sequence[Sum], shown: Mapping[str, Visibility],
                  unknown: set[str], threshold: int) -> str | None:
    """The first candidate (`_candidates`: a part of a sum around it; a total only when no part is left) whose
    hiding lets `exposed` move; failing that, the first one (not enough alone: the check runs again)."""
    parts, totals = _candidates(exposed, sums, shown, unknown, values)
    choices = parts or totals
    for name in choices[:MAX_TRIALS]:
        if _Search(values, sums, unknown | {name}, threshold).movable(exposed):
            return name
    return choices[0] if choices else None
