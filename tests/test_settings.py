"""Every setting lives in one typed model, is documented, and environment beats .env beats default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from msinfusion.settings import (
    DEFAULT_SECRET_KEY,
    Settings,
    UnsafeSettings,
    check_production,
    env_name,
    load_settings,
    production_problems,
)
from msinfusion.settings_reference import reference, settings_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_has_help_and_the_loader_defaults_to_the_models_defaults() -> None:
    assert {s.name for s in settings_table()} == set(Settings.model_fields)
    assert load_settings(environ={}, dotenv=None) == Settings()
    for setting in settings_table():
        assert setting.help.strip(), f"{setting.name} has no help text"


def test_the_settings_reference_is_generated_from_the_model() -> None:
    assert DOCS.read_text(encoding="utf-8") == reference(), "run `make docs` to regenerate docs/settings.md"
    for setting in settings_table():
        assert f"`{setting.env}`" in reference()


def test_environment_beats_dotenv_beats_default(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MSINFUSION_PORT=9001\nMSINFUSION_HOST=0.0.0.0\n", encoding="utf-8")
    resolved = load_settings(environ={"MSINFUSION_PORT": "9002"}, dotenv=dotenv)
    assert resolved.port == 9002
    assert resolved.host == "0.0.0.0"
    assert resolved.default_locale == "en"


def test_a_keyword_override_beats_the_environment() -> None:
    assert load_settings(environ={"MSINFUSION_PORT": "9002"}, dotenv=None, port=9003).port == 9003


def test_database_url_keeps_its_conventional_name() -> None:
    assert env_name("database_url") == "DATABASE_URL"
    assert load_settings(environ={"DATABASE_URL": "sqlite:///x.db"}, dotenv=None).database_url == "sqlite:///x.db"


def test_the_environment_setting_takes_only_the_known_values() -> None:
    assert load_settings(environ={"MSINFUSION_ENVIRONMENT": "production"}, dotenv=None).environment == "production"
    with pytest.raises(ValidationError):
        load_settings(environ={"MSINFUSION_ENVIRONMENT": "staging"}, dotenv=None)


def test_building_settings_directly_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSINFUSION_PORT", "9009")
    assert Settings().port == 8000
    assert load_settings(dotenv=None).port == 9009


def test_only_the_settings_module_reads_the_environment() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "msinfusion"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "settings.py" and ("os.environ" in path.read_text() or "getenv(" in path.read_text())
    ]
    assert offenders == []


def _production(**values: Any) -> Settings:
    return Settings.model_validate(
        {"environment": "production", "secret_key": "s" * 40, "proxy_headers": True, **values}
    )


def test_production_with_its_own_secret_behind_a_trusted_proxy_is_safe() -> None:
    assert production_problems(_production()) == []
    assert (
        production_problems(
            Settings(environment="production", secret_key="s" * 40, ssl_certfile="c.pem", ssl_keyfile="k.pem")
        )
        == []
    )
    check_production(_production())


def test_production_refuses_the_default_secret_debug_and_plain_http() -> None:
    assert "MSINFUSION_SECRET_KEY" in production_problems(_production(secret_key=DEFAULT_SECRET_KEY))[0]
    assert "MSINFUSION_DEBUG" in production_problems(_production(debug=True))[0]
    plain = Settings(environment="production", secret_key="s" * 40)
    assert "HTTPS" in production_problems(plain)[0]
    no_proxy_listed = _production(forwarded_allow_ips="")
    assert "HTTPS" in production_problems(no_proxy_listed)[0]
    half_tls = Settings(environment="production", secret_key="s" * 40, ssl_certfile="c.pem")
    assert "both" in production_problems(half_tls)[0]
    with pytest.raises(UnsafeSettings, match="refusing to start in production"):
        check_production(plain)


def test_outside_production_nothing_is_refused() -> None:
    assert production_problems(Settings(debug=True)) == []


def test_forwarded_allow_ips_takes_only_addresses_and_networks() -> None:
    with pytest.raises(ValidationError, match="not an address or network"):
        Settings(forwarded_allow_ips="10.0.0.0/8, proxy.example")


def test_the_public_address_is_one_setting_and_the_retired_name_is_refused_with_the_new_one() -> None:
    assert "public_base_url" not in Settings.model_fields
    assert load_settings(environ={"MSINFUSION_PUBLIC_URL": "https://x.example"}, dotenv=None).public_url == (
        "https://x.example"
    )
    with pytest.raises(ValidationError, match="set MSINFUSION_PUBLIC_URL"):
        load_settings(environ={"MSINFUSION_PUBLIC_BASE_URL": "https://x.example"}, dotenv=None)
    with pytest.raises(ValidationError, match="MSINFUSION_PUBLIC_BASE_URL is no longer a setting"):
        Settings(public_base_url="https://x.example")  # type: ignore[call-arg]


def test_the_retired_public_address_name_in_dotenv_is_refused_too(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MSINFUSION_PUBLIC_BASE_URL=https://x.example\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="set MSINFUSION_PUBLIC_URL"):
        load_settings(environ={}, dotenv=dotenv)


@pytest.mark.parametrize("value", [-0.01, 0.51])
def test_the_default_booking_headroom_is_a_share_from_0_to_half(value: float) -> None:
    with pytest.raises(ValidationError):
        Settings(booking_headroom_default=value)
    assert Settings(booking_headroom_default=0.5).booking_headroom_default == 0.5
