"""TOTP codes are accepted one step either side of now and never twice; keys are encrypted; recovery codes hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from cryptography.exceptions import InvalidTag

from msinfusion import mfa

NOW = datetime(2027, 3, 1, 12, 0, 15, tzinfo=UTC)


def test_the_current_code_and_one_step_either_side_are_accepted() -> None:
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    for offset in (-30, 0, 30):
        at = NOW + timedelta(seconds=offset)
        assert mfa.matching_step(secret, totp.at(at), NOW, None) == mfa.step_at(at)


def test_a_code_two_steps_old_is_refused() -> None:
    secret = mfa.new_secret()
    assert mfa.matching_step(secret, pyotp.TOTP(secret).at(NOW - timedelta(seconds=60)), NOW, None) is None


def test_a_code_is_never_accepted_twice_nor_one_older_than_the_last() -> None:
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    step = mfa.matching_step(secret, totp.at(NOW), NOW, None)
    assert step is not None
    assert mfa.matching_step(secret, totp.at(NOW), NOW, step) is None
    assert mfa.matching_step(secret, totp.at(NOW - timedelta(seconds=30)), NOW, step) is None
    assert mfa.matching_step(secret, totp.at(NOW + timedelta(seconds=30)), NOW, step) == step + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_input_that_is_not_six_digits_is_refused(code: str) -> None:
    assert mfa.matching_step(mfa.new_secret(), code, NOW, None) is None


def test_the_stored_key_is_encrypted_and_needs_the_app_secret() -> None:
    secret = mfa.new_secret()
    stored = mfa.encrypt_secret(secret, "app-secret-one")
    assert secret not in stored
    assert mfa.decrypt_secret(stored, "app-secret-one") == secret
    assert mfa.encrypt_secret(secret, "app-secret-one") != stored  # a fresh nonce each time
    with pytest.raises(InvalidTag):
        mfa.decrypt_secret(stored, "another-secret")


def test_recovery_codes_are_distinct_and_compared_in_normal_form() -> None:
    codes = mfa.new_recovery_codes()
    assert len(set(codes)) == mfa.RECOVERY_CODES
    code = codes[0]
    assert mfa.looks_like_recovery_code(code) and not mfa.looks_like_recovery_code("123456")
    assert mfa.recovery_code_hash(code.upper().replace("-", " ")) == mfa.recovery_code_hash(code)
    assert code not in mfa.recovery_code_hash(code)


def test_the_key_reaches_an_authenticator_as_an_otpauth_address_and_a_qr_code() -> None:
    secret = mfa.new_secret()
    uri = mfa.provisioning_uri(secret, "sam")
    assert uri.startswith("otpauth://totp/msinfusion:sam?") and f"secret={secret}" in uri
    assert mfa.qr_svg_data_uri(uri).startswith("data:image/svg+xml")
    assert mfa.grouped("ABCDEFGH") == "ABCD EFGH"
