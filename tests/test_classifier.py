"""Models over (text, actor) input, the saved model folder, and StanceClassifier."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import mlflow
import numpy as np
import pandas as pd
import pytest

from haltung import StanceClassifier
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.errors import HaltungError, ModelLoadError, TrackingError
from haltung.models import ActorText, build_estimator
from haltung.models.predict import aligned_proba
from haltung.tracking.pyfunc import save_model_folder

STANCE = ("supportive", "critical", "evasive", "none")


@pytest.fixture(scope="module")
def records(stance_path):
    return load_dataset(DataSpec(path=stance_path), STANCE).frame


@pytest.fixture(scope="module")
def model_dir(records, tmp_path_factory):
    estimator = build_estimator(compose(["model=tfidf_logreg"]).model)
    estimator.fit(records[["text", "actor"]], records["label"])
    folder = tmp_path_factory.mktemp("saved") / "model"
    example = records[["text", "actor"]].head(2)
    return save_model_folder(estimator, STANCE, folder, example, {"task": "stance", "model": "x"})


def test_actor_template_makes_two_actors_two_inputs():
    frame = pd.DataFrame({"text": ["A lobte, B kritisierte."] * 2, "actor": ["A", "B"]})
    joined = ActorText("{actor} » {text}").transform(frame)
    assert joined[0] != joined[1] and joined[0].startswith("A » ")
    assert ActorText(None).transform(frame).tolist() == ["A lobte, B kritisierte."] * 2
    no_actor = pd.DataFrame({"text": ["Ein Satz."], "actor": [""]})
    assert ActorText("{actor} » {text}").transform(no_actor).tolist() == ["Ein Satz."]


def test_probabilities_follow_the_task_labels_even_for_unseen_classes(records):
    estimator = build_estimator(compose(["model=majority"]).model)
    train = records[records["label"].isin(["none", "critical"])]
    estimator.fit(train[["text", "actor"]], train["label"])
    proba = aligned_proba(estimator, records[["text", "actor"]].head(5), STANCE)
    assert proba.shape == (5, 4)
    assert np.allclose(proba.sum(axis=1), 1)
    assert (proba[:, 0] == 0).all() and (proba[:, 2] == 0).all()


def test_load_folder_predict_and_proba(model_dir, records):
    clf = StanceClassifier.load(model_dir)
    assert clf.labels == list(STANCE)
    assert clf.info["task"] == "stance"
    texts = records["text"].head(6).tolist()
    actors = records["actor"].head(6).tolist()
    proba = clf.predict_proba(texts, actors)
    assert list(proba.columns) == list(STANCE) and len(proba) == 6
    assert np.allclose(proba.sum(axis=1), 1)
    assert clf.predict(texts, actors) == proba.idxmax(axis=1).tolist()
    assert clf.predict(texts[0]) == clf.predict([texts[0]])
    assert "tfidf" not in repr(clf) or "StanceClassifier" in repr(clf)


def test_training_data_is_mostly_fitted(model_dir, records):
    clf = StanceClassifier.load(model_dir)
    predicted = clf.predict(records["text"].tolist(), records["actor"].tolist())
    assert np.mean(np.array(predicted) == records["label"].to_numpy()) > 0.9


def test_folder_loads_as_mlflow_pyfunc_without_a_server(model_dir):
    model = mlflow.pyfunc.load_model(str(model_dir))
    out = model.predict(pd.DataFrame({"text": ["Die Gewerkschaft lehnte das Angebot ab."]}))
    assert list(out.columns) == ["predicted", *STANCE]
    assert out["predicted"].iloc[0] in STANCE


def test_import_haltung_loads_neither_mlflow_nor_torch(model_dir):
    code = (
        "import sys, haltung; clf = haltung.StanceClassifier.load(sys.argv[1]); "
        "clf.predict(['Ein Satz.']); "
        "print(sorted(m for m in ('mlflow', 'torch', 'transformers', 'hydra') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("texts", "actors", "message"),
    [
        (["Gut.", "  "], None, "Text number 2 is empty"),
        ([""], None, "Text number 1 is empty"),
        (["Gut.", "Schlecht."], ["A"], "2 texts but 1 actors"),
    ],
)
def test_bad_input_is_a_clear_error(model_dir, texts, actors, message):
    with pytest.raises(HaltungError, match=message):
        StanceClassifier.load(model_dir).predict(texts, actors)


def test_frames_series_and_empty_input(model_dir):
    """A frame is read by its columns (not iterated over its column names), a Series keeps
    its index, no texts give no rows, and what is not text is refused in one line."""
    clf = StanceClassifier.load(model_dir)
    texts = ["Die Gewerkschaft lehnte das Angebot ab.", "Der Minister lobte die Einigung."]
    frame = pd.DataFrame({"text": texts, "actor": ["Gewerkschaft", None]}, index=[7, 9])
    by_frame = clf.predict_proba(frame)
    assert list(by_frame.index) == [7, 9]
    expected = clf.predict_proba(texts, ["Gewerkschaft", ""])
    assert np.allclose(by_frame.to_numpy(), expected.to_numpy())
    assert clf.predict(frame) == clf.predict(texts, ["Gewerkschaft", ""])
    assert list(clf.predict_proba(pd.Series(texts, index=["a", "b"])).index) == ["a", "b"]
    assert clf.predict(frame.convert_dtypes()) == clf.predict(frame)  # pd.NA: no actor
    assert clf.predict(t for t in texts) == clf.predict(texts)  # any iterable of texts
    assert clf.predict([]) == []
    assert list(clf.predict_proba([]).columns) == list(STANCE)
    for bad, message in [
        (None, "Cannot classify NoneType"),
        (42, "Cannot classify int"),
        (b"Gut.", "Cannot classify bytes"),
        (pd.DataFrame({"satz": texts}), "no `text` column"),
    ]:
        with pytest.raises(HaltungError, match=message):
            clf.predict(bad)
    with pytest.raises(HaltungError, match="as columns of the frame"):
        clf.predict(frame, actors=["x", "y"])
    served = mlflow.pyfunc.load_model(str(model_dir))
    with pytest.raises(HaltungError, match="Text number 2 is empty"):
        served.predict(pd.DataFrame({"text": ["Gut.", None]}))


def test_missing_or_broken_models(tmp_path, model_dir):
    with pytest.raises(ModelLoadError, match="neither a folder nor an MLflow model URI"):
        StanceClassifier.load(tmp_path / "nothing")
    with pytest.raises(ModelLoadError, match="no MLmodel file"):
        StanceClassifier.load(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "MLmodel").write_text((model_dir / "MLmodel").read_text())
    with pytest.raises(ModelLoadError, match=r"haltung\.json is missing"):
        StanceClassifier.load(broken)
    payload = broken / "data" / "haltung"
    payload.mkdir(parents=True)
    (payload / "haltung.json").write_text('{"labels": ["a", "b"]}')
    (payload / "estimator.joblib").write_bytes(b"not a pickle")
    with pytest.raises(ModelLoadError, match="cannot be read"):
        StanceClassifier.load(broken)


def test_damaged_metadata_and_unknown_quantisation(tmp_path, model_dir):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    meta = copy / "data" / "haltung" / "haltung.json"
    info = json.loads(meta.read_text("utf-8"))
    meta.write_text(json.dumps({k: v for k, v in info.items() if k != "labels"}), "utf-8")
    with pytest.raises(ModelLoadError, match="names no labels"):
        StanceClassifier.load(copy)
    meta.write_text(json.dumps({**info, "labels": ["pro", "contra"]}), "utf-8")
    with pytest.raises(ModelLoadError, match=r"the model predicts .*critical.*which its labels"):
        StanceClassifier.load(copy)
    with pytest.raises(ModelLoadError, match="quantize must be int8 or none, not 'int4'"):
        StanceClassifier.load(model_dir, quantize="int4")


def test_unreachable_tracking_server_is_a_clear_error():
    with pytest.raises(ModelLoadError, match=r"cannot be reached.*leave out --tracking-uri"):
        StanceClassifier.load("runs:/0123456789abcdef/model", tracking_uri="http://127.0.0.1:9")


@pytest.mark.parametrize("form", ["{}", "file://{}"])
def test_a_folder_is_not_a_tracking_store(tmp_path, form):
    """MLflow 3 refuses folder stores; the error says which SQLite URI to use instead."""
    with pytest.raises(ModelLoadError, match=rf"is a folder or file path.*sqlite:///{tmp_path}/mlflow"):
        StanceClassifier.load("runs:/0123456789abcdef/model", tracking_uri=form.format(tmp_path))


def test_saving_over_an_earlier_model_folder_replaces_it_only_when_complete(
    records, tmp_path, caplog
):
    """A second run into the same output folder (a fixed `hydra.run.dir`) replaces the model
    folder; a save that fails leaves the earlier folder as it was, and no partial folder."""
    estimator = build_estimator(compose(["model=majority"]).model)
    estimator.fit(records[["text", "actor"]], records["label"])
    example = records[["text", "actor"]].head(2)
    folder = tmp_path / "model"
    save_model_folder(estimator, STANCE, folder, example, {"model": "first"})
    with caplog.at_level("WARNING", logger="haltung.tracking.pyfunc"):
        save_model_folder(estimator, STANCE, folder, example, {"model": "second"})
    assert "Replacing the model folder" in caplog.text
    assert StanceClassifier.load(folder).info["model"] == "second"

    with pytest.raises(ModelLoadError):  # not a format haltung can save
        save_model_folder(_Unsaveable(), STANCE, folder, example, {"model": "third"})
    assert StanceClassifier.load(folder).info["model"] == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]

    own = tmp_path / "notes"  # a folder of the user's, not a model: never replaced
    own.mkdir()
    (own / "todo.txt").write_text("keep me")
    with pytest.raises(TrackingError, match="is not a haltung model folder: it is left"):
        save_model_folder(estimator, STANCE, own, example, {"model": "fourth"})
    assert [p.name for p in own.iterdir()] == ["todo.txt"]


class _Unsaveable:
    def save(self, folder):  # pragma: no cover - never called: the format is refused first
        raise AssertionError

    @classmethod
    def load(cls, folder):  # pragma: no cover
        raise AssertionError
