"""Signed links: one-click unsubscribe and e-mail verification tokens verify only as made."""

from __future__ import annotations

import datetime

import pytest

from msinfusion.reminders import TokenError, make_token, verify_token

SECRET = "test-secret"
NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)


def test_an_unsubscribe_token_verifies_with_its_contact_and_address() -> None:
    token = make_token(SECRET, "unsubscribe", 7, "ana@example.org")
    claims = verify_token(SECRET, "unsubscribe", token, NOW + datetime.timedelta(days=400))
    assert (claims.contact_id, claims.address, claims.expires) == (7, "ana@example.org", None)


def test_a_token_is_url_safe() -> None:
    token = make_token(SECRET, "verify-email", 12345, "josé+tag@example.org", NOW)
    assert all(c.isalnum() or c in "-_." for c in token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = make_token("other", "unsubscribe", 7, "ana@example.org")
    with pytest.raises(TokenError, match="not valid"):
        verify_token(SECRET, "unsubscribe", token, NOW)


def test_a_token_made_for_one_purpose_does_not_work_for_another() -> None:
    token = make_token(SECRET, "unsubscribe", 7, "ana@example.org")
    with pytest.raises(TokenError, match="not valid"):
        verify_token(SECRET, "verify-email", token, NOW)


def test_an_edited_token_is_refused() -> None:
    token = make_token(SECRET, "unsubscribe", 7, "ana@example.org")
    other = make_token(SECRET, "unsubscribe", 8, "ana@example.org")
    forged = other.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(TokenError, match="not valid"):
        verify_token(SECRET, "unsubscribe", forged, NOW)


def test_a_verification_token_expires() -> None:
    token = make_token(SECRET, "verify-email", 7, "ana@example.org", expires=NOW + datetime.timedelta(hours=24))
    assert verify_token(SECRET, "verify-email", token, NOW + datetime.timedelta(hours=23)).contact_id == 7
    with pytest.raises(TokenError, match="expired"):
        verify_token(SECRET, "verify-email", token, NOW + datetime.timedelta(hours=24))


@pytest.mark.parametrize("broken", ["", "abc", "abc.", ".abc", "@@@.###", "e30.e30"])
def test_a_broken_token_is_refused_with_a_reason(broken: str) -> None:
    with pytest.raises(TokenError):
        verify_token(SECRET, "unsubscribe", broken, NOW)


def test_a_token_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        make_token("", "unsubscribe", 7, "ana@example.org")
