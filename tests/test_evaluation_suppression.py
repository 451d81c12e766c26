"""Small-count suppression (services/evaluation/suppression.py): under 5 hidden, and nothing hidden recoverable.

The adversary knows every sum, every shown count, that a "fewer than 5" count is 0..4 and that a count hidden for
another's sake is 5 or more (and, stronger than any reader, which unpublished counts are under 5). It solves the
integer programme for the smallest and the largest value each small count can take; a count is recovered when
they are equal.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from portal.services.evaluation.suppression import THRESHOLD, Sum, Visibility, suppress

BIG = 10_000


def attack(values: dict[str, int], sums: list[Sum], shown: dict[str, Visibility],
           unpublished: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """For every count under 5 that is not shown: the (min, max) the adversary can prove."""
    names = sorted(values)
    index = {name: i for i, name in enumerate(names)}
    rows = []
    for one in sums:
        row = np.zeros(len(names))
        for part in one.parts:
            row[index[part]] += 1
        row[index[one.total]] -= 1
        rows.append(row)
    low, high = [], []
    for name in names:
        how = shown.get(name)
        if how == Visibility.SHOWN:
            low.append(values[name])
            high.append(values[name])
        elif how == Visibility.SMALL or (how is None and values[name] < THRESHOLD):
            low.append(0)
            high.append(THRESHOLD - 1)
        else:  # hidden for another's sake, or unpublished and 5 or more
            low.append(THRESHOLD)
            high.append(BIG)
    constraints = [LinearConstraint(np.array(rows), 0, 0)] if rows else []
    found = {}
    for name in names:
        if values[name] >= THRESHOLD or shown.get(name) == Visibility.SHOWN:
            continue
        ends = []
        for sign in (1, -1):
            goal = np.zeros(len(names))
            goal[index[name]] = sign
            result = milp(goal, constraints=constraints, bounds=Bounds(low, high), integrality=np.ones(len(names)))
            assert result.success, result.message
            ends.append(round(sign * result.fun))
        found[name] = (ends[0], ends[1])
    return found


def assert_safe(values: dict[str, int], sums: list[Sum], unpublished: tuple[str, ...] = ()) -> dict[str, Visibility]:
    shown = suppress(values, sums, unpublished=unpublished)
    for name, value in values.items():
        if name not in unpublished and value < THRESHOLD:
            assert shown[name] == Visibility.SMALL, name
        if shown.get(name) == Visibility.HIDDEN:
            assert value >= THRESHOLD, name
    for name, (low, high) in attack(values, sums, shown, unpublished).items():
        assert low < high, f"{name}={values[name]} recovered from {shown}"
        assert low <= values[name] <= high
    return shown


def test_one_small_cell_in_a_row_hides_the_next_smallest_too() -> None:
    values = {"never": 2, "rarely": 7, "often": 9, "always": 12, "answered": 30}
    shown = assert_safe(values, [Sum("answered", ("never", "rarely", "often", "always"))])
    assert shown == {"never": Visibility.SMALL, "rarely": Visibility.HIDDEN, "often": Visibility.SHOWN,
                     "always": Visibility.SHOWN, "answered": Visibility.SHOWN}


def test_primary_suppression_alone_gives_the_cell_away() -> None:
    """The adversary is real: with only the small cell hidden it reads it off the total."""
    values = {"a": 2, "b": 7, "total": 9}
    naive = {"a": Visibility.SMALL, "b": Visibility.SHOWN, "total": Visibility.SHOWN}
    assert attack(values, [Sum("total", ("a", "b"))], naive) == {"a": (2, 2)}


def test_the_bounds_of_a_hidden_cell_count_too() -> None:
    """0 and 5 with total 5: hiding both cells is not enough (the hidden one is at least 5), the total goes too."""
    values = {"a": 0, "b": 5, "total": 5}
    shown = assert_safe(values, [Sum("total", ("a", "b"))])
    assert shown["total"] == Visibility.HIDDEN


def test_zero_is_suppressed_like_any_small_count() -> None:
    shown = assert_safe({"a": 0, "b": 6, "c": 8, "t": 14}, [Sum("t", ("a", "b", "c"))])
    assert shown["a"] == Visibility.SMALL


def test_an_unpublished_small_count_is_protected() -> None:
    """Respondents 20, answered 18: the 2 who skipped are not shown, so answered is hidden, and with it a part."""
    values = {"respondents": 20, "answered": 18, "skipped": 2, "yes": 10, "no": 8}
    sums = [Sum("answered", ("yes", "no")), Sum("respondents", ("answered", "skipped"))]
    shown = assert_safe(values, sums, unpublished=("skipped",))
    assert shown["answered"] == Visibility.HIDDEN
    assert "skipped" not in shown


def test_a_two_way_table_with_margins() -> None:
    """Rows and columns both sum: a lone pair in a row is not enough when the columns give it away."""
    grid = [[2, 9, 11], [8, 6, 10], [7, 12, 5]]
    values: dict[str, int] = {}
    sums = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            values[f"c{r}{c}"] = value
        values[f"row{r}"] = sum(row)
        sums.append(Sum(f"row{r}", tuple(f"c{r}{c}" for c in range(3))))
    for c in range(3):
        values[f"col{c}"] = sum(grid[r][c] for r in range(3))
        sums.append(Sum(f"col{c}", tuple(f"c{r}{c}" for r in range(3))))
    values["all"] = sum(map(sum, grid))
    sums += [Sum("all", ("row0", "row1", "row2")), Sum("all", ("col0", "col1", "col2"))]
    shown = assert_safe(values, sums)
    hidden = [name for name, how in shown.items() if how != Visibility.SHOWN]
    assert len(hidden) >= 4  # at least a rectangle


def item_stage(rng: random.Random) -> tuple[dict[str, int], list[Sum], tuple[str, ...]]:
    """A report-shaped table: items (options summing to answered; answered + skipped = respondents) and domain
    sums across items (the better options of each item, and the rest)."""
    respondents = rng.randint(3, 40)
    values = {"respondents": respondents}
    sums: list[Sum] = []
    unpublished = []
    better: list[str] = []
    rest: list[str] = []
    for item in range(rng.randint(1, 3)):
        skipped = rng.choice([0, 0, 1, 2, rng.randint(0, respondents)])
        skipped = min(skipped, respondents)
        left = respondents - skipped
        cuts = sorted(rng.randint(0, left) for _ in range(4))
        counts = [b - a for a, b in zip([0, *cuts], [*cuts, left], strict=True)]
        names = [f"i{item}o{o}" for o in range(5)]
        values.update(dict(zip(names, counts, strict=True)))
        values[f"i{item}answered"] = left
        values[f"i{item}skipped"] = skipped
        unpublished.append(f"i{item}skipped")
        sums.append(Sum(f"i{item}answered", tuple(names)))
        sums.append(Sum("respondents", (f"i{item}answered", f"i{item}skipped")))
        better += names[3:]
        rest += names[:3]
    values["better"] = sum(values[n] for n in better)
    values["rest"] = sum(values[n] for n in rest)
    values["scored"] = values["better"] + values["rest"]
    sums += [Sum("better", tuple(better)), Sum("rest", tuple(rest)), Sum("scored", ("better", "rest"))]
    return values, sums, tuple(unpublished)


@pytest.mark.parametrize("seed", range(60))
def test_report_shaped_tables_never_give_a_small_count_away(seed: int) -> None:
    values, sums, unpublished = item_stage(random.Random(seed))
    assert_safe(values, sums, unpublished)


@pytest.mark.parametrize("seed", range(30))
def test_random_rows_never_give_a_small_count_away(seed: int) -> None:
    rng = random.Random(1000 + seed)
    cells = [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 30]) for _ in range(rng.randint(2, 6))]
    values = {f"c{i}": v for i, v in enumerate(cells)} | {"total": sum(cells)}
    assert_safe(values, [Sum("total", tuple(f"c{i}" for i in range(len(cells))))])


def test_nothing_small_nothing_hidden() -> None:
    values = {"a": 5, "b": 6, "t": 11}
    assert suppress(values, [Sum("t", ("a", "b"))]) == dict.fromkeys(values, Visibility.SHOWN)


def test_a_sum_naming_an_unknown_count_is_a_bug() -> None:
    with pytest.raises(KeyError):
        suppress({"a": 1}, [Sum("t", ("a",))])
