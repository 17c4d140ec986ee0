"""Issue 21, finding 15: passwords are checked against a strength estimator or a list of common
passwords (NIST SP 800-63B), not only their length."""

from __future__ import annotations

import pytest

from samspill.core.errors import InputError
from samspill.core.passwords import check_password, common_passwords, estimator
from samspill.services import accounts


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # the example: only the length was checked
        "abcabcabcabc",
        "123456789012",
        "Password2024!",
        "qwertyuiopas",
        "passordpassord",
        "velkommen123!",
        "ingrid-nordmann-1",  # holds the user name
    ],
)
def test_guessable_passwords_are_refused_with_a_fix(password: str) -> None:
    with pytest.raises(InputError) as refused:
        check_password(password, username="ingrid", min_length=12)
    assert refused.value.fix


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "Tr0ub4dor&3 plus", "mild-otter-lamp-7-river"]
)
def test_good_passwords_pass(password: str) -> None:
    check_password(password, username="ingrid", min_length=12)


def test_short_passwords_are_refused_first() -> None:
    with pytest.raises(InputError, match="shorter than 12"):
        check_password("kR9#vq2!", min_length=12)


def test_the_list_ships_with_the_package_and_the_estimator_is_named() -> None:
    assert "password" in common_passwords() and len(common_passwords()) > 150
    assert estimator() in ("zxcvbn", "built-in")


def test_accounts_use_the_check() -> None:
    with pytest.raises(InputError, match="too easy to guess"):
        accounts.hash_password("aaaaaaaaaaaa")
