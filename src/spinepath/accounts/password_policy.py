"""Which new passwords are refused: too short, the username itself, or one of the 30,000
passwords seen most often in published breaches.

The list is the password frequency list that zxcvbn ships (the most common passwords of a
10-million-password breach corpus), compared without regard to case.
"""

from __future__ import annotations

from functools import cache

MIN_PASSWORD_LENGTH = 10


@cache
def breached_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str | None) -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    lowered = password.strip().lower()
    if username and lowered == username.strip().lower():
        return "must not be the username"
    if lowered in breached_passwords():
        return "is one of the most common passwords found in data breaches; choose another"
    return None
