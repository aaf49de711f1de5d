"""Account rules: usernames, roles, and the life of a one-time set-password link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from msinfusion.accounts import AccountProblem, check_role, link_expires_at, link_is_live, normal_username

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def test_a_username_is_kept_trimmed_and_in_lower_case() -> None:
    assert normal_username("  Rosa.M-2 ") == "rosa.m-2"


@pytest.mark.parametrize("name", ["ab", "-rosa", "rosa m", "rosa@clinic", "x" * 65, ""])
def test_a_username_outside_the_rule_is_refused(name: str) -> None:
    with pytest.raises(AccountProblem):
        normal_username(name)


def test_only_the_known_roles_are_accepted() -> None:
    assert check_role("nurse") == "nurse"
    with pytest.raises(AccountProblem, match="role must be one of"):
        check_role("superuser")


def test_a_link_works_once_until_it_expires_unless_revoked() -> None:
    expires = link_expires_at(NOW, 72)
    assert expires == NOW + timedelta(hours=72)
    assert link_is_live(expires, None, None, NOW)
    assert not link_is_live(expires, None, None, expires)
    assert not link_is_live(expires, NOW, None, NOW)
    assert not link_is_live(expires, None, NOW, NOW)
