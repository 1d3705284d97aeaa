"""The model registry: `haltung register`, `models:/name@alias`, and serving over REST."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from mlflow import MlflowClient

from conftest import (
    free_port,
    run_in_process,
    runs,
    script_env,
    start_server,
    train_in_new_store,
    wait_for_server,
)
from haltung.classifier import StanceClassifier

SENTENCES = [
    {"text": "Die Ministerin lehnt den Vorschlag entschieden ab.", "actor": "Die Ministerin"},
    {"text": "Das sei Sache der Länder, sagte der Sprecher.", "actor": "der Sprecher"},
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, empty_store: Path) -> dict:
    folder = tmp_path_factory.mktemp("registry")
    experiments, uri, _ = train_in_new_store(
        folder,
        empty_store,
        "data=fixture",
        "model=tfidf_nb",
        "~task.test_sets",
        "evaluation.bootstrap_samples=50",
    )
    (run,) = runs(uri)
    return {"uri": uri, "run_id": run.info.run_id, "folder": experiments}


def register(trained: dict, *args: str):
    return run_in_process("haltung", "register", *args, "--tracking-uri", trained["uri"])


def test_register_with_an_alias_loads_the_same_model(trained: dict):
    done = register(trained, trained["run_id"], "--name", "haltung-stance", "--alias", "champion")
    assert done.returncode == 0, done.stderr
    assert f"registered run {trained['run_id']} as haltung-stance version" in done.stdout
    client = MlflowClient(trained["uri"])
    version = client.get_model_version_by_alias("haltung-stance", "champion")
    assert version.run_id == trained["run_id"]
    assert version.tags["model"] == "tfidf_nb" and version.tags["task"] == "stance"
    by_alias = StanceClassifier.load("models:/haltung-stance@champion", trained["uri"])
    by_run = StanceClassifier.load(f"runs:/{trained['run_id']}/model", trained["uri"])
    texts = [s["text"] for s in SENTENCES]
    actors = [s["actor"] for s in SENTENCES]
    assert by_alias.predict_proba(texts, actors).equals(by_run.predict_proba(texts, actors))


def test_register_in_a_fresh_process_uses_the_named_store(trained: dict, tmp_path: Path):
    """Nothing set MLflow's tracking URI before (as in a user's shell): the model is found in
    the store --tracking-uri names, and no ./mlflow.db appears where the command ran."""
    args = [trained["run_id"], "--name", "fresh", "--tracking-uri", trained["uri"]]
    code = f"from haltung.cli import main; raise SystemExit(main(['register', *{args!r}]))"
    env = {k: v for k, v in script_env().items() if k != "MLFLOW_TRACKING_URI"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
    (version,) = MlflowClient(trained["uri"]).search_model_versions("name='fresh'")
    assert version.run_id == trained["run_id"]


def test_a_sweep_parent_registers_its_best_run(trained: dict):
    client = MlflowClient(trained["uri"])
    experiment = client.get_run(trained["run_id"]).info.experiment_id
    parent = client.create_run(experiment, run_name="sweep")  # as tracking.sweep leaves it
    client.set_tag(parent.info.run_id, "best_run_id", trained["run_id"])
    client.set_terminated(parent.info.run_id, "FINISHED")
    done = register(trained, parent.info.run_id, "--name", "from-sweep")
    assert done.returncode == 0, done.stderr
    assert f"best run of sweep {parent.info.run_id}" in done.stdout
    (version,) = client.search_model_versions("name='from-sweep'")
    assert version.run_id == trained["run_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0" * 32], "There is no run"),
        (["RUN", "--alias", "v1"], "MLflow reserves"),
        (["RUN", "--name", "bad name"], "cannot be a model name"),
        (["RUNNING"], "not FINISHED"),
        (["FAILED-SWEEP"], "Its best run, RUN, can be: `haltung register RUN`"),
    ],
)
def test_register_errors_are_one_line(trained: dict, args: list[str], message: str):
    client = MlflowClient(trained["uri"])
    experiment = client.get_run(trained["run_id"]).info.experiment_id
    if args[0] == "RUNNING":
        args = [client.create_run(experiment).info.run_id]
    elif args[0] == "FAILED-SWEEP":  # a sweep that ended FAILED after one good job
        parent = client.create_run(experiment, tags={"best_run_id": trained["run_id"]})
        client.set_terminated(parent.info.run_id, "FAILED")
        args = [parent.info.run_id]
    args = [trained["run_id"] if a == "RUN" else a for a in args]
    done = register(trained, *args)
    assert done.returncode != 0
    message = message.replace("RUN", trained["run_id"])
    assert message in done.stderr and "Traceback" not in done.stderr


def test_the_champion_serves_a_rest_request(trained: dict, tmp_path: Path):
    done = register(trained, trained["run_id"], "--name", "served", "--alias", "champion")
    assert done.returncode == 0, done.stderr
    port = free_port()
    env = script_env() | {"MLFLOW_TRACKING_URI": trained["uri"]}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # its uvicorn
    command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", "models:/served@champion"]
    command += ["--env-manager", "local", "--host", "127.0.0.1", "-p", str(port), "-w", "1"]
    log = tmp_path / "serve.log"
    server = start_server(command, log, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(f"{base}/ping", server, 120, log)
        request = urllib.request.Request(
            f"{base}/invocations",
            data=json.dumps({"dataframe_records": SENTENCES}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            answer = json.loads(reply.read())
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = answer["predictions"]
    local = StanceClassifier.load("models:/served@champion", trained["uri"])
    expected = local.predict([s["text"] for s in SENTENCES], [s["actor"] for s in SENTENCES])
    assert [row["predicted"] for row in rows] == list(expected)
    for row in rows:
        assert sum(row[label] for label in local.labels) == pytest.approx(1.0)
