"""Model URIs kept in the local cache: the second load opens the cached folder without MLflow,
and a deleted run, a moved alias or a damaged copy is noticed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from mlflow import MlflowClient

from conftest import ROOT, run_in_process, runs, script_env, train_in_new_store
from haltung import StanceClassifier
from haltung.errors import ModelLoadError
from haltung.tracking import model_cache

SEED = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"


@pytest.fixture(scope="module")
def trained(tmp_path_factory, empty_store) -> Path:
    """Two finished runs in one store, tfidf_logreg and majority; returns the store file."""
    fast = ["data=fixture", "evaluation.bootstrap_samples=20"]
    experiments, _, _ = train_in_new_store(tmp_path_factory.mktemp("cache"), empty_store, *fast)
    done = run_in_process(
        "haltung-train",
        f"paths.experiments_dir={experiments}",
        "tracking.experiment_name=test",
        "model=majority",
        *fast,
    )
    assert done.returncode == 0, done.stderr
    return experiments / "mlflow.db"


@pytest.fixture
def store(trained: Path, tmp_path: Path, monkeypatch) -> dict:
    """A copy of the trained store (tests delete runs and register models) and an empty cache."""
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path / "cache"))
    shutil.copyfile(trained, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    by_model = {run.data.tags["model"]: run.info.run_id for run in runs(uri)}
    return {"uri": uri, "runs": by_model, "cache": tmp_path / "cache" / "models"}


def entries(cache: Path) -> list[Path]:
    """The cache's entries (not its temporary folders)."""
    if not cache.is_dir():
        return []
    return sorted(p for p in cache.iterdir() if not p.name.startswith("."))


def load(uri: str, store: dict) -> StanceClassifier:
    return StanceClassifier.load(uri, tracking_uri=store["uri"])


def test_second_load_opens_the_cache_without_importing_mlflow(store):
    uri = f"runs:/{store['runs']['tfidf_logreg']}/model"
    first = load(uri, store)
    (entry,) = entries(store["cache"])
    assert (entry / model_cache.ENTRY_FILE).is_file()
    code = (
        "import sys\n"
        "from haltung.cli import main\n"
        f"code = main(['analyze', {str(SEED)!r}, '--model', {uri!r}, '--format', 'csv'])\n"
        "print('MLFLOW' if 'mlflow' in sys.modules else 'NO MLFLOW', code, file=sys.stderr)\n"
    )
    # the store found as the default one is: through the composed config
    env = script_env() | {"HALTUNG_CACHE": str(store["cache"].parent)}
    env["MLFLOW_TRACKING_URI"] = store["uri"]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert done.stderr.strip().splitlines()[-1] == "NO MLFLOW 0", done.stderr
    rows = done.stdout.splitlines()
    assert rows[0].startswith("doc_id,") and len(rows) > 10
    direct = first.analyze(SEED.read_text("utf-8"))
    assert len(rows) - 1 == len(direct)
    assert entries(store["cache"]) == [entry]  # the same entry, not a second download


def test_cached_model_predicts_as_the_downloaded_one(store):
    uri = f"runs:/{store['runs']['tfidf_logreg']}/model"
    sentences = ["„Dazu äußern wir uns nicht“, sagte ein Sprecher.", "Wir begrüßen das sehr."]
    first, second = load(uri, store), load(uri, store)
    assert second.predict_proba(sentences).equals(first.predict_proba(sentences))
    assert second.info == first.info and second.source == uri


def test_deleted_run_is_a_clear_error_cached_or_not(store):
    run_id = store["runs"]["tfidf_logreg"]
    uri = f"runs:/{run_id}/model"
    load(uri, store)
    MlflowClient(store["uri"]).delete_run(run_id)
    with pytest.raises(ModelLoadError, match=f"run {run_id} is deleted .*mlflow runs restore"):
        load(uri, store)
    shutil.rmtree(store["cache"])
    with pytest.raises(ModelLoadError, match=f"run {run_id} is deleted"):
        load(uri, store)
    done = run_in_process(
        "haltung", "predict", "--model", uri, "--tracking-uri", store["uri"], stdin="Gut so.\n"
    )
    assert done.returncode == 2 and "is deleted" in done.stderr and "Traceback" not in done.stderr
    MlflowClient(store["uri"]).restore_run(run_id)
    assert load(uri, store).info["model"] == "tfidf_logreg"


def test_moved_alias_and_version_numbers(store):
    client = MlflowClient(store["uri"])
    client.create_registered_model("stance")
    for model in ("tfidf_logreg", "majority"):  # versions 1 and 2
        run_id = store["runs"][model]
        (logged,) = client.search_logged_models(
            experiment_ids=[client.get_run(run_id).info.experiment_id],
            filter_string=f"source_run_id = '{run_id}'",
        )
        client.create_model_version("stance", f"models:/{logged.model_id}", run_id=run_id)
    client.set_registered_model_alias("stance", "champion", "1")
    assert load("models:/stance@champion", store).info["model"] == "tfidf_logreg"
    assert load("models:/stance@champion", store).info["model"] == "tfidf_logreg"  # cached
    client.set_registered_model_alias("stance", "champion", "2")
    assert load("models:/stance@champion", store).info["model"] == "majority"
    assert load("models:/stance/1", store).info["model"] == "tfidf_logreg"  # alias's entry
    assert load("models:/stance/2", store).info["model"] == "majority"
    assert len(entries(store["cache"])) == 2  # one per version


def test_running_run_is_not_cached(store, tmp_path, monkeypatch):
    run_id = store["runs"]["majority"]
    client = MlflowClient(store["uri"])
    client.update_run(run_id, status="RUNNING")
    downloads = tmp_path / "tmp"
    downloads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(downloads))
    assert load(f"runs:/{run_id}/model", store).info["model"] == "majority"
    assert entries(store["cache"]) == []
    assert list(downloads.iterdir()) == []  # the temporary copy is gone once loaded
    with pytest.raises(ModelLoadError, match=r"runs:/\w+/: its download is not a model folder"):
        load(f"runs:/{run_id}/", store)  # the run's artifacts, not its model
    assert list(downloads.iterdir()) == []
    client.set_terminated(run_id, "FINISHED")  # a new end time: a new entry
    load(f"runs:/{run_id}/model", store)
    assert len(entries(store["cache"])) == 1


@pytest.mark.parametrize("damage", ["truncated", "garbled", "entry-missing"])
def test_damaged_entry_is_fetched_again(store, damage):
    uri = f"runs:/{store['runs']['tfidf_logreg']}/model"
    expected = load(uri, store).predict(["Wir lehnen das ab."])
    (entry,) = entries(store["cache"])
    (pickle,) = entry.rglob("estimator.joblib")
    if damage == "truncated":  # a copy cut short
        pickle.write_bytes(pickle.read_bytes()[:100])
    elif damage == "garbled":  # same size, not a pickle
        pickle.write_bytes(b"x" * pickle.stat().st_size)
    else:
        (entry / model_cache.ENTRY_FILE).unlink()
    assert load(uri, store).predict(["Wir lehnen das ab."]) == expected
    assert model_cache.cached(model_cache.locate(uri, store["uri"])) is not None


def test_unwritable_cache_still_loads(store, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("HALTUNG_CACHE", str(blocker))
    run_id = store["runs"]["majority"]
    assert load(f"runs:/{run_id}/model", store).info["model"] == "majority"


def test_two_callers_filling_one_entry(store, tmp_path):
    """Both get a complete model; one entry remains and no temporary folder."""
    uri = f"runs:/{store['runs']['majority']}/model"
    source = tmp_path / "source"
    load(uri, store)  # fills the cache: its copy is the source of the fake downloads
    (first,) = entries(store["cache"])
    shutil.copytree(first / model_cache.FILES, source)
    shutil.rmtree(store["cache"])
    entry = model_cache.locate(uri, store["uri"])
    both = threading.Barrier(2)

    def fetch(into: Path | None) -> Path:
        assert into is not None
        shutil.copytree(source, into, dirs_exist_ok=True)
        both.wait(timeout=30)  # both have downloaded before either moves into place
        return into / "model"

    folders: list[Path] = []
    workers = [
        threading.Thread(target=lambda: folders.append(model_cache.fill(entry, fetch)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(folders) == 2 and folders[0] == folders[1]
    assert [p.name for p in store["cache"].iterdir()] == [entry.folder.name]
    assert StanceClassifier.load(folders[0]).info["model"] == "majority"


def test_other_stores_and_uri_forms_are_not_cached(store):
    run_id = store["runs"]["majority"]
    assert model_cache.locate(f"runs:/{run_id}/model", "http://127.0.0.1:9") is None
    assert model_cache.locate("models:/stance/latest", store["uri"]) is None
    assert model_cache.locate(f"runs:/{'f' * 32}/model", store["uri"]) is None  # MLflow says
    with pytest.raises(ModelLoadError, match=r"Cannot load runs:/ffff.*: Run .* not found\. Ch"):
        load(f"runs:/{'f' * 32}/model", store)
