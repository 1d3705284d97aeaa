"""Shared fixtures: the labelled fixture data, temporary MLflow stores, the console scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def stance_path() -> Path:
    return FIXTURES / "mini_stance.jsonl"


@pytest.fixture(scope="session")
def stance_frame(stance_path: Path) -> pd.DataFrame:
    return pd.read_json(stance_path, lines=True, dtype=False)


@pytest.fixture
def store(tmp_path: Path) -> dict[str, str]:
    """A fresh experiments folder and its SQLite store, as haltung-train overrides."""
    experiments = tmp_path / "experiments"
    return {
        "dir": str(experiments),
        "uri": f"sqlite:///{experiments / 'mlflow.db'}",
        "overrides": [
            f"paths.experiments_dir={experiments}",
            "tracking.experiment_name=test",
            "data=fixture",
        ],
    }


def script_env() -> dict[str, str]:
    """The environment for console scripts: without the store that mlflow.set_tracking_uri
    exported for this test process (MLflow sets MLFLOW_TRACKING_URI)."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run_script(name: str, *args: str, stdin: str | None = None, timeout: int = 300):
    """Run one of haltung's console scripts in a subprocess, as a user would."""
    return subprocess.run(
        [str(BIN / name), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        env=script_env(),
        cwd=ROOT,
    )
