"""Every setting lives in one table, is documented, and environment beats .env beats default."""

from __future__ import annotations

from pathlib import Path

from msinfusion.settings import SETTINGS_TABLE, Settings, env_name, load_settings


def test_every_setting_in_the_table_is_a_field_with_the_same_default() -> None:
    assert {s.name for s in SETTINGS_TABLE} == set(Settings.model_fields)
    assert load_settings(environ={}, dotenv=None) == Settings()
    for setting in SETTINGS_TABLE:
        assert setting.help.strip(), f"{setting.name} has no help text"


def test_environment_beats_dotenv_beats_default(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MSINFUSION_PORT=9001\nMSINFUSION_HOST=0.0.0.0\n", encoding="utf-8")
    resolved = load_settings(environ={"MSINFUSION_PORT": "9002"}, dotenv=dotenv)
    assert resolved.port == 9002
    assert resolved.host == "0.0.0.0"
    assert resolved.default_locale == "en"


def test_database_url_keeps_its_conventional_name() -> None:
    assert env_name("database_url") == "DATABASE_URL"
    assert load_settings(environ={"DATABASE_URL": "sqlite:///x.db"}, dotenv=None).database_url == "sqlite:///x.db"


def test_only_the_settings_module_reads_the_environment() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "msinfusion"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "settings.py" and ("os.environ" in path.read_text() or "getenv(" in path.read_text())
    ]
    assert offenders == []
