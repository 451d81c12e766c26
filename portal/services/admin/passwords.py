"""Staff password rules (ASVS V2.1): 12 to 128 characters, not common, not easily guessed."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

PASSWORD_MIN = 12
PASSWORD_MAX = 128
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 resists an online attack that is throttled

TOO_SHORT_OR_LONG = "length"
COMMON = "common"
GUESSABLE = "guessable"


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords, as shipped inside the zxcvbn package."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """A code for why a new password is refused (length, common, guessable), or None when it is fine."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return TOO_SHORT_OR_LONG
    if password.strip().lower() in common_passwords():
        return COMMON
    from zxcvbn import zxcvbn

    inputs = [part for value in user_inputs for part in _parts(value)]
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return GUESSABLE
    return None


def _parts(value: str) -> list[str]:
    value = value.lower()
    pieces = [value, *value.replace("@", " ").replace(".", " ").replace("_", " ").split()]
    return [piece for piece in pieces if len(piece) >= 3]
