"""The application factory and where its settings come from."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from blog import create_app
from blog.config import ConfigError, Moderation


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder the factory is pointed at, with no BLOG_* variables set."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(folder))
    for name in [key for key in os.environ if key.startswith("BLOG_")] + ["DATABASE_URL"]:
        if name == "BLOG_INSTANCE_PATH":
            continue
        monkeypatch.delenv(name, raising=False)
    return folder


def test_defaults_put_the_database_in_the_instance_folder(instance: Path) -> None:
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'blog.sqlite3'}"
    assert app.config["SITE_NAME"] == "Riverside Ledger"
    assert not app.testing


def test_test_config_overrides_everything(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_SITE_NAME", "From the environment")
    app = create_app({"TESTING": True, "SITE_NAME": "From the test"})
    assert app.testing
    assert app.config["SITE_NAME"] == "From the test"


def test_instance_file_then_environment(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance.mkdir()
    (instance / "config.py").write_text('SITE_NAME = "Instance"\nPOSTS_PER_PAGE = 7\n')
    app = create_app()
    assert app.config["SITE_NAME"] == "Instance"
    assert app.config["POSTS_PER_PAGE"] == 7

    monkeypatch.setenv("BLOG_SITE_NAME", "Environment")
    monkeypatch.setenv("BLOG_POSTS_PER_PAGE", "3")
    app = create_app()
    assert app.config["SITE_NAME"] == "Environment"
    assert app.config["POSTS_PER_PAGE"] == 3  # parsed as JSON, so an int


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:////tmp/elsewhere.db", "sqlite:////tmp/elsewhere.db"),
        ("postgres://u@db.internal/blog", "postgresql+psycopg://u@db.internal/blog"),
        ("postgresql://u@db.internal/blog", "postgresql+psycopg://u@db.internal/blog"),
    ],
)
def test_database_url(
    instance: Path, monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == expected


def test_secret_key_is_generated_once_and_kept(instance: Path, tmp_path: Path) -> None:
    first = create_app().config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_each_install_gets_its_own_secret_key(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_app().config["SECRET_KEY"]
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "other"))
    assert create_app().config["SECRET_KEY"] != first


def test_secret_key_from_environment_writes_no_file(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_SECRET_KEY", "operator-chosen-key")
    assert create_app().config["SECRET_KEY"] == "operator-chosen-key"
    assert not (instance / "secret_key").exists()


def test_empty_key_file_is_an_error_not_a_weak_key(instance: Path) -> None:
    instance.mkdir()
    (instance / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="secret_key"):
        create_app()


# --- settings are checked once, at start-up ----------------------------------------------------


@pytest.mark.parametrize("typo", ["link", "Open ", "none", "", "true"])
def test_a_moderation_typo_stops_the_app(
    instance: Path, monkeypatch: pytest.MonkeyPatch, typo: str
) -> None:
    monkeypatch.setenv("BLOG_COMMENT_MODERATION", typo)
    with pytest.raises(ConfigError, match=r"COMMENT_MODERATION must be one of open, links, "):
        create_app()


def test_moderation_modes_are_an_enum(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_COMMENT_MODERATION", "first-time")
    assert create_app().config["COMMENT_MODERATION"] is Moderation.FIRST_TIME
    assert create_app({"COMMENT_MODERATION": "all"}).config["COMMENT_MODERATION"] is Moderation.ALL


def test_numbers_are_coerced_once(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance.mkdir()
    (instance / "config.py").write_text('COMMENT_RATE_LIMIT = "7"\n')
    monkeypatch.setenv("BLOG_COMMENTS_PER_PAGE", '"12"')  # a JSON string, as a shell may quote it
    config = create_app().config
    assert config["COMMENT_RATE_LIMIT"] == 7 and isinstance(config["COMMENT_RATE_LIMIT"], int)
    assert config["COMMENTS_PER_PAGE"] == 12


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("POSTS_PER_PAGE", "five", "POSTS_PER_PAGE must be a whole number, not 'five'"),
        ("POSTS_PER_PAGE", "0", "POSTS_PER_PAGE must be at least 1, not 0"),
        ("COMMENT_RATE_LIMIT", "-3", "COMMENT_RATE_LIMIT must be at least 1, not -3"),
        ("COMMENT_MIN_SECONDS", "2.5", "must be a whole number"),
        ("PROXY_COUNT", "true", "PROXY_COUNT must be a whole number, not True"),
        ("DEMO_CONTENT_ON_EMPTY", '"maybe"', "DEMO_CONTENT_ON_EMPTY must be true or false"),
    ],
)
def test_bad_settings_are_named(
    instance: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(f"BLOG_{name}", value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app()


def test_a_bad_setting_stops_the_command_line(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_COMMENT_MODERATION", "link")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "blog", "routes"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "COMMENT_MODERATION must be one of open, links, first-time, all, not 'link'." in (
        result.stderr
    )


def test_navigation_setting(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_NAVIGATION", '[["About", "/about"], ["Contact", "/contact"]]')
    assert create_app().config["NAVIGATION"] == [("About", "/about"), ("Contact", "/contact")]
    monkeypatch.setenv("BLOG_NAVIGATION", '[["Elsewhere", "https://evil.example/"]]')
    with pytest.raises(ConfigError, match="NAVIGATION must be a list of"):
        create_app()
