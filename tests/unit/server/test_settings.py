from __future__ import annotations

from pathlib import Path

import pytest

from cli.settings_cmd import settings_table_markdown
from server.settings import Settings


def test_defaults_and_env_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.resolved_database_url().startswith("sqlite:///")
    monkeypatch.setenv("NEXUS_PORT", "9001")
    monkeypatch.setenv("NEXUS_DATABASE_URL", "postgresql+psycopg://x@h/db")
    settings = Settings()
    assert settings.port == 9001
    assert settings.resolved_database_url() == "postgresql+psycopg://x@h/db"


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("NEXUS_MAX_TOKENS=77\nNEXUS_CHAT_BACKEND=openai\n")
    settings = Settings()
    assert settings.max_tokens == 77
    assert settings.chat_backend == "openai"


def test_dev_issuer_only_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings(host="127.0.0.1").dev_issuer_enabled()
    assert not Settings(host="0.0.0.0").dev_issuer_enabled()
    assert Settings(host="0.0.0.0", auth_mode="dev").dev_issuer_enabled()
    assert not Settings().oidc_enabled()
    assert Settings(oidc_server_url="http://127.0.0.1:8080/").oidc_enabled()


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEXUS_PORT", "not-a-port")
    with pytest.raises(ValueError):
        Settings()


def test_readme_table_lists_every_setting() -> None:
    table = settings_table_markdown()
    for name in Settings.model_fields:
        assert f"`NEXUS_{name.upper()}`" in table
