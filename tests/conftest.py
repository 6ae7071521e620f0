"""Shared fixtures: the rule pack and a checker are built once per test session (spaCy is slow to load)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """The start-up caches (src/rmplint/cache.py) go to a folder of this session, never the user's
    ~/.cache; subprocesses the tests start inherit it."""
    import os
    import tempfile

    if "RMPLINT_CACHE_DIR" not in os.environ:
        os.environ["RMPLINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="rmplint-test-cache-")


@pytest.fixture(scope="session")
def pack():
    from rmplint.rules.loader import load_pack

    return load_pack()


@pytest.fixture(scope="session")
def checker(pack):
    from rmplint.engine import Checker

    return Checker(pack)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def invoke():
    """Run the rmplint CLI in-process from a given working directory: invoke(cwd, *args)."""
    import os

    from click.testing import CliRunner

    from rmplint.cli import main

    runner = CliRunner()

    def _invoke(cwd: Path, *args: str):
        old = os.getcwd()
        os.chdir(cwd)
        try:
            return runner.invoke(main, list(args), catch_exceptions=False)
        finally:
            os.chdir(old)

    return _invoke
