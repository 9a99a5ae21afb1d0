"""Fixtures for tests that run the command line: a clean environment (`cli_env`) and a SQLite config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """No stray SALESBOT__ variables and no ./config.toml from the developer's machine."""
    for name in list(os.environ):
        if name.startswith("SALESBOT__"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def config_file(tmp_path: Path) -> Path:
    """Write a config naming a fresh SQLite database in `tmp_path`."""
    path = tmp_path / "salesbot.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/x.db"\n', "utf-8")
    return path


@pytest.fixture
def config(tmp_path) -> Path:
    """A config file naming a fresh SQLite database (not yet migrated)."""
    return config_file(tmp_path)


@pytest.fixture
def upgraded(tmp_path, capsys) -> Path:
    """A config file whose database is migrated."""
    path = config_file(tmp_path)
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    capsys.readouterr()
    return path
