"""Argon2id hashes with at least OWASP's cost, length rules without composition rules, and rehashing."""

from __future__ import annotations

from msinfusion.passwords import make_hasher, password_problem, verify
from msinfusion.settings import Settings


def test_default_cost_is_argon2id_above_the_owasp_minimum() -> None:
    encoded = make_hasher(Settings()).hash("a long enough passphrase")
    assert encoded.startswith("$argon2id$")
    params = dict(p.split("=") for p in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2


def test_length_rules_without_composition_rules() -> None:
    assert password_problem("short pass") is not None
    assert password_problem("password1234") is not None  # on the common list
    assert password_problem("aaaaaaaaaaaaaaaa") is not None
    assert password_problem("plain lowercase words") is None
    assert password_problem("x" * 63 + "yz🙂") is None
    assert password_problem("🙂 emoji are fine too 🙂") is None


def test_verify_never_raises_on_a_malformed_hash() -> None:
    assert verify(make_hasher(Settings()), "not-a-hash", "whatever") is False
