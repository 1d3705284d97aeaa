"""A shared tracking server: MLflow on a real PostgreSQL (started by .ci/run, or by hand with
`eval "$(scripts/postgres.sh start /tmp/haltung-pg)"`), artifacts served through the server."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient

from conftest import (
    BIN,
    ROOT,
    free_port,
    run_script,
    runs,
    script_env,
    start_server,
    wait_for_server,
)
from haltung.classifier import StanceClassifier

POSTGRES = os.environ.get("HALTUNG_TEST_POSTGRES")
needs_postgres = pytest.mark.skipif(
    not POSTGRES,
    reason='no PostgreSQL: eval "$(scripts/postgres.sh start /tmp/haltung-pg)" (.ci/run does)',
)
FAST = ["data=fixture", "model=majority", "~task.test_sets", "evaluation.bootstrap_samples=50"]


def new_database() -> str:
    """A database of its own on the test PostgreSQL; its URI."""
    import psycopg2

    name = f"haltung_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(POSTGRES)
    connection.autocommit = True
    connection.cursor().execute(f"CREATE DATABASE {name}")
    connection.close()
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    command = [str(BIN / "haltung"), "server", "--backend-store-uri", new_database()]
    command += ["--artifacts-destination", str(folder / "artifacts"), "--port", str(port)]
    command += ["--workers", "2"]
    log = folder / "server.log"
    process = start_server(command, log, env=script_env())
    url = f"http://127.0.0.1:{port}"
    wait_for_server(f"{url}/health", process, 120, log)
    yield {"url": url, "artifacts": folder / "artifacts", "folder": folder}
    process.terminate()
    process.wait(timeout=30)


@needs_postgres
def test_two_processes_log_to_the_server_and_read_back(server: dict, tmp_path: Path):
    env = script_env() | {"MLFLOW_TRACKING_URI": server["url"]}
    clients = [
        subprocess.Popen(
            [str(BIN / "haltung-train"), *FAST, f"seed={i}", "tracking.experiment_name=test",
             f"paths.experiments_dir={tmp_path / f'client{i}'}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for i in (1, 2)
    ]  # fmt: skip
    ended = [(c.communicate(timeout=300)[1], c.returncode) for c in clients]
    ended = [(code, errors) for errors, code in ended]
    for code, errors in ended:
        if code:
            print(errors)  # shown whole under "Captured stdout" when the test fails
    assert [code for code, _ in ended] == [0, 0], ended
    found = runs(server["url"])
    assert sorted(r.data.params["seed"] for r in found) == ["1", "2"]
    assert {r.info.status for r in found} == {"FINISHED"}
    for run in found:  # artifacts live with the server, not with the client
        assert run.info.artifact_uri.startswith("mlflow-artifacts:")
        assert (server["artifacts"] / run.info.experiment_id / run.info.run_id).is_dir()
        assert not (tmp_path / "client1" / "artifacts").exists()
    model = StanceClassifier.load(f"runs:/{found[0].info.run_id}/model", server["url"])
    assert model.predict(["Die Regierung begrüßt den Beschluss."], ["Die Regierung"])[0] in (
        model.labels
    )
    assert MlflowClient(server["url"]).get_experiment_by_name("test") is not None


def test_an_unreachable_database_is_one_line():
    done = run_script(
        "haltung", "server", "--backend-store-uri", "postgresql://nobody@127.0.0.1:1/mlflow",
        timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "cannot be reached" in done.stderr and "Traceback" not in done.stderr


def test_a_backend_that_is_no_database_is_one_line():
    done = run_script("haltung", "server", "--backend-store-uri", "http://127.0.0.1:1", timeout=60)
    assert done.returncode != 0
    assert "is not a database URI" in done.stderr and "Traceback" not in done.stderr


@needs_postgres
@pytest.mark.slow  # 8 + 4 trainings in worker processes: about two minutes
@pytest.mark.parametrize(
    ("launcher", "jobs"),
    [(["hydra/launcher=joblib", "hydra.launcher.n_jobs=4"], 8), (["hydra/launcher=ray"], 4)],
)
def test_parallel_sweeps_land_complete_in_the_server(
    server: dict, tmp_path: Path, launcher: list[str], jobs: int
):
    if "ray" in launcher[0]:
        pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="haltung[cluster]")
    experiment = f"sweep-{launcher[0].rsplit('=', 1)[1]}"
    seeds = ",".join(str(s) for s in range(1, jobs // 2 + 1))
    done = subprocess.run(
        [str(BIN / "haltung-train"), "-m", *launcher, *FAST[:1], "model=majority,tfidf_nb",
         *FAST[2:], f"seed={seeds}", f"tracking.experiment_name={experiment}",
         f"paths.experiments_dir={tmp_path}", f"hydra.sweep.dir={tmp_path / 'multirun'}"],
        cwd=ROOT, env=script_env() | {"MLFLOW_TRACKING_URI": server["url"]},
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = runs(server["url"], experiment)
    children = [r for r in found if "mlflow.parentRunId" in r.data.tags]
    assert len(found) == jobs + 1 and len(children) == jobs
    assert {r.info.status for r in found} == {"FINISHED"}


def test_a_row_another_client_created_meanwhile_is_tried_once_more(tmp_path: Path):
    """Two clients of one server get-or-create the same experiment rows (a dataset, a tag):
    the one that loses the race tries again and finds the row; a local store's lock already
    serialises them, so there an error stays an error."""
    from mlflow.exceptions import MlflowException

    from haltung.tracking.store import shared_write

    tries = []

    def write() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise MlflowException('duplicate key value violates unique constraint "datasets_pk"')
        return "written"

    assert shared_write("http://127.0.0.1:5000", write) == "written" and len(tries) == 2
    tries.clear()
    with pytest.raises(MlflowException, match="duplicate key"):
        shared_write(f"sqlite:///{tmp_path / 'mlflow.db'}", write)

    def broken() -> None:
        raise MlflowException("boom")

    with pytest.raises(MlflowException, match="boom"):  # not a conflict: no second try
        shared_write("http://127.0.0.1:5000", broken)
