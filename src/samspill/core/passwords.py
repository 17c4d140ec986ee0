"""Is a new password good enough? NIST SP 800-63B: a minimum length, and no password that is
common, expected or easily guessed. No composition rules (no "one digit, one symbol").

A built-in check always runs: the length, a list of the most common passwords shipped beside
this module (with digits and punctuation around them stripped too: ``Password2024!``), the user
name, repeated characters or patterns and keyboard or alphabet runs. With the ``zxcvbn``
package (a dependency) its strength estimate must also reach 3 of 4, the user name and the
product's name counted as guessable. :func:`estimator` says whether it runs.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

from samspill.core.errors import N_, InputError

COMMON_LIST = Path(__file__).with_name("common_passwords.txt")
CONTEXT_WORDS = ("samspill",)
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from an offline attack"
MIN_DISTINCT = 5
_RUNS = (
    "abcdefghijklmnopqrstuvwxyzæøå",
    "01234567890",
    "qwertyuiopåasdfghjkløæzxcvbnm",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_EDGES = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def check_password(password: str, *, username: str = "", min_length: int = 12) -> None:
    """Raise :class:`InputError` (with the fix) unless the password is long and not guessable."""
    if len(password) < min_length:
        raise InputError(
            N_("the password is shorter than {count} characters"),
            fix=N_("choose a password of at least {count} characters"),
            params={"count": min_length},
        )
    # The shipped list knows Norwegian passwords and the user name rule that zxcvbn's English
    # dictionaries miss ("velkommen123!"), so it always runs; zxcvbn adds its estimate on top.
    problem = _builtin_problem(password, username) or (
        _zxcvbn_problem(password, username) if _zxcvbn() else ""
    )
    if problem:
        raise InputError(
            N_("the password is too easy to guess ({problem})"),
            fix=N_("use a few unrelated words or a password manager's random password"),
            params={"problem": problem},
        )


def estimator() -> str:
    """Which estimator runs beside the built-in list: ``zxcvbn``, or ``built-in`` alone."""
    return "zxcvbn" if _zxcvbn() else "built-in"


@cache
def _zxcvbn() -> ModuleType | None:
    try:
        return importlib.import_module("zxcvbn")
    except ImportError:
        return None


def _zxcvbn_problem(password: str, username: str) -> str:
    module = _zxcvbn()
    assert module is not None
    # zxcvbn only looks at the first 72 characters' patterns in practice; cap its work.
    result = module.zxcvbn(password[:100], user_inputs=[username, *CONTEXT_WORDS])
    if int(result["score"]) >= MIN_SCORE:
        return ""
    warning = str(result.get("feedback", {}).get("warning") or "")
    return warning.rstrip(".").lower() or N_("a strength estimate below 3 of 4")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _builtin_problem(password: str, username: str) -> str:
    lowered = password.lower()
    core = lowered.strip(_EDGES)
    if lowered in common_passwords() or core in common_passwords():
        return N_("it is one of the most common passwords")
    name = username.lower()
    if (len(name) >= 3 and name in lowered) or any(w in lowered for w in CONTEXT_WORDS):
        return N_("it holds the user name or the product's name")
    if len(set(lowered)) < MIN_DISTINCT or _repeats(lowered):
        return N_("it repeats a few characters")
    if _is_run(lowered) or _is_run(core):
        return N_("it is a run of the keyboard or the alphabet")
    return ""


def _repeats(text: str) -> bool:
    """``abcabcabcabc``, ``passordpassord``: a shorter unit said again and again."""
    short = any((text[:k] * (len(text) // k + 1))[: len(text)] == text for k in range(1, 5))
    whole = any(
        len(text) % k == 0 and text[:k] * (len(text) // k) == text
        for k in range(1, len(text) // 2 + 1)
    )
    return short or whole


def _is_run(text: str) -> bool:
    if len(text) < 4:
        return False
    return any(text in run * 3 or text in run[::-1] * 3 for run in _RUNS)
