"""A researcher's own corpus: a data config outside the repository, validated and trained with
the commands the README shows; baselines that stay above the majority on skewed labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_in_process, runs
from haltung import harness
from haltung.config import compose
from haltung.data.corpora import CORPUS

GERNTSA = ROOT.parent / "shared" / "data" / "gerntsa" / "GerNTSA.json"
needs_gerntsa = pytest.mark.skipif(
    not GERNTSA.is_file(), reason="needs GerNTSA in ../shared/data/gerntsa"
)

# The README's worked example, word for word apart from the path.
GERNTSA_CONFIG = """\
name: my_gerntsa
path: {path}
format: json
columns:
  id: null                  # numbered: the file has no unique id
  doc_id: opinion_snippet   # rows of one snippet stay together in splits and folds
  text: opinion_snippet
  actor: target             # the target takes the actor's place in the model input
  label: sentiment.polarity
"""


# A user's own stance corpus: 30 reports of 4 records, one of each label.
STANCES = {
    "supportive": "{actor} unterstützt den Plan zur {topic} ausdrücklich.",
    "critical": "{actor} kritisiert die Pläne zur {topic} scharf und lehnt sie ab.",
    "evasive": "Zur {topic} wollte sich {actor} nicht äußern, man prüfe noch.",
    "none": "Die Beratungen über die {topic} dauern nach Angaben von {actor} an.",
}
ACTORS = ["Die Ministerin", "Der Kanzler", "Die Opposition", "Der Verband", "Die Gewerkschaft"]
TOPICS = [
    "Rentenreform",
    "Schuldenbremse",
    "Wärmewende",
    "Bahnreform",
    "Pflegereform",
    "Zollpolitik",
]


def own_stance_corpus(path: Path, labels=tuple(STANCES)) -> Path:
    """A JSONL file in the record schema: id, doc_id, text, actor, label."""
    import json

    lines = []
    for doc in range(30):
        for k, label in enumerate(labels):
            actor, topic = ACTORS[(doc + k) % len(ACTORS)], TOPICS[doc % len(TOPICS)]
            text = STANCES[label].format(actor=actor, topic=topic)
            record = {"id": f"own-{doc}-{k}", "doc_id": f"bericht{doc}", "text": text}
            lines.append(json.dumps(record | {"actor": actor, "label": label}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def haltung_news_test_rows() -> int:
    import pandas as pd

    corpus = pd.read_json(ROOT / "data" / "haltung-news" / "haltung-news.jsonl", lines=True)
    return int((corpus["split"] == "test").sum())


def test_own_corpus_given_by_data_path_is_not_called_haltung_news(tmp_path, store):
    """`haltung-train data.path=own.jsonl`: the rows are 'own' everywhere, and HaltungNews's
    test set is scored as a test set of its own (the run did not train on it)."""
    import pandas as pd
    from mlflow import MlflowClient

    own = own_stance_corpus(tmp_path / "own.jsonl")
    done = run_in_process(
        "haltung-train",
        f"paths.experiments_dir={store['dir']}",
        "tracking.experiment_name=test",
        f"data.path={own}",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr
    (run,) = runs(store["uri"])
    assert run.data.tags["data"] == "own"
    assert run.data.metrics["test_n"] == 24  # a grouped split of the 120 records: 6 reports
    assert run.data.metrics["haltung_news_n"] == haltung_news_test_rows()
    inputs = {(d.dataset.name, d.tags[0].value) for d in run.inputs.dataset_inputs}
    assert {("own", "train"), ("own", "dev"), ("own", "test")} <= inputs
    assert ("haltung_news", "haltung_news") in inputs
    client = MlflowClient(store["uri"])
    predictions = pd.read_csv(client.download_artifacts(run.info.run_id, "predictions.csv"))
    assert set(predictions["corpus"]) == {"own"} and len(predictions) == 24
    news = pd.read_csv(client.download_artifacts(run.info.run_id, "predictions_haltung_news.csv"))
    assert set(news["corpus"]) == {"haltung_news"} and len(news) == haltung_news_test_rows()


def test_the_name_of_a_known_corpus_goes_with_its_files(tmp_path):
    """Same content elsewhere is still HaltungNews (trained on: its test set is the run's own
    rows); other content is named after its file, also when the file is called like it."""
    import shutil

    copy = tmp_path / "copy" / "news.jsonl"
    copy.parent.mkdir()
    shutil.copyfile(ROOT / "data" / "haltung-news" / "haltung-news.jsonl", copy)
    plan = harness.prepare(compose([f"data.path={copy}", "~task.test_sets.haltung_real"]))
    assert plan.dataset.name == "haltung_news" and "haltung_news" not in plan.test_sets
    own = own_stance_corpus(tmp_path / "haltung_news.jsonl")
    for overrides in ([f"data.path={own}"], [f"data.path={own}", "data.name=haltung_news"]):
        plan = harness.prepare(compose([*overrides, "~task.test_sets.haltung_real"]))
        assert plan.dataset.name == "haltung_news.jsonl"
        assert set(plan.dataset.frame[CORPUS]) == {"haltung_news.jsonl"}
        assert len(plan.test_sets["haltung_news"].frame) == haltung_news_test_rows()
    plan = harness.prepare(compose([f"data.path={own}", "data.name=mine", "~task.test_sets"]))
    assert plan.dataset.name == "mine"  # a name the user gives is kept
    plan = harness.prepare(compose([f"data.path={own}", "~task.test_sets"]))
    assert plan.dataset.name == "haltung_news.jsonl"  # the data config says where its data is


def test_own_data_config_from_a_config_dir_keeps_its_name(tmp_path, store):
    """The README's recipe: `--config-dir my-conf data=mine`."""
    own = own_stance_corpus(tmp_path / "own.jsonl")
    (tmp_path / "my-conf" / "data").mkdir(parents=True)
    (tmp_path / "my-conf" / "data" / "mine.yaml").write_text(f"name: mine\npath: {own}\n")
    done = run_in_process(
        "haltung-train",
        "--config-dir",
        str(tmp_path / "my-conf"),
        f"paths.experiments_dir={store['dir']}",
        "tracking.experiment_name=test",
        "data=mine",
        "model=majority",
        "~task.test_sets",
        "evaluation.bootstrap_samples=20",
    )
    assert done.returncode == 0, done.stderr
    (run,) = runs(store["uri"])
    assert run.data.tags["data"] == "mine" and run.data.metrics["test_n"] == 24


def test_a_class_missing_from_a_scored_split_is_warned_about(tmp_path, caplog):
    """F_stance averages supportive, critical and evasive: without evasive rows it is capped."""
    own = own_stance_corpus(tmp_path / "ohne.jsonl", labels=("supportive", "critical", "none"))
    with caplog.at_level("WARNING", logger="haltung.train"):
        harness.prepare(compose([f"data.path={own}", "~task.test_sets"]))
    warned = [r.getMessage() for r in caplog.records if r.name == "haltung.train"]
    assert warned == [
        f"the {split} split of ohne has no 'evasive' rows: f_stance averages the F1 of "
        "supportive, critical, evasive, and a class without rows scores 0, so f_stance there "
        "is at most 0.667"
        for split in ("test", "dev")
    ]
    caplog.clear()
    with caplog.at_level("WARNING", logger="haltung.train"):
        harness.prepare(compose(["~task.test_sets.haltung_real"]))  # HaltungNews: every class
    assert not [r for r in caplog.records if "rows:" in r.getMessage()]


def own_config(folder: Path, path: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    config = folder / "data" / "my_gerntsa.yaml"
    config.write_text(GERNTSA_CONFIG.format(path=path), "utf-8")
    return config


def small_sentiment(folder: Path) -> Path:
    """A CSV of the fixture's sentiment sentences, with the columns a user might have."""
    import pandas as pd

    rows = pd.read_json(ROOT / "tests" / "fixtures" / "mini_sentiment.jsonl", lines=True)
    frame = pd.DataFrame(
        {
            "sentence": rows["sentence"],
            "article": rows["article"],
            "polarity": rows["annotation"].map(lambda a: a["polarity"]),
        }
    )
    path = folder / "my.csv"
    frame.to_csv(path, index=False)
    return path


def test_validate_data_takes_overrides_after_its_options(tmp_path):
    path = small_sentiment(tmp_path)
    done = run_in_process(
        "haltung",
        "validate-data",
        str(path),
        "--task",
        "sentiment",
        "data.columns.text=sentence",
        "data.columns.id=null",
        "data.columns.doc_id=article",
        "data.columns.label=polarity",
        "++data.label_map={POS: positive, NEU: neutral, NEG: negative}",
    )
    assert done.returncode == 0, done.stderr
    assert "records: 45" in " ".join(done.stdout.split())


def test_options_that_are_no_overrides_are_still_refused(tmp_path):
    done = run_in_process("haltung", "validate-data", "--no-such-flag")
    assert done.returncode == 2 and "unrecognized arguments: --no-such-flag" in done.stderr


def test_validate_data_reads_a_data_config_outside_the_repository(tmp_path):
    path = small_sentiment(tmp_path)
    config = tmp_path / "mine.yaml"
    config.write_text(
        f"name: mine\npath: {path}\nformat: csv\ncolumns:\n  id: null\n  doc_id: article\n"
        "  text: sentence\n  label: polarity\nlabel_map: {POS: positive, NEU: neutral, "
        "NEG: negative}\n",
        "utf-8",
    )
    done = run_in_process("haltung", "validate-data", "--data", str(config), "--task", "sentiment")
    assert done.returncode == 0, done.stderr
    assert "data 'mine'" in done.stdout and "records: 45" in " ".join(done.stdout.split())
    # an override after the options changes the file's config, and a wrong one is named
    done = run_in_process(
        "haltung", "validate-data", "--data", str(config), "--task", "sentiment",
        "data.columns.text=satz",
    )  # fmt: skip
    assert done.returncode == 2 and "column 'satz' is missing" in done.stderr
    assert "nothing was trained" not in done.stderr  # validate-data trains nothing
    done = run_in_process("haltung", "validate-data", "--data", str(tmp_path / "none.yaml"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_a_stance_file_without_actors_gets_a_warning(tmp_path):
    path = tmp_path / "stance.csv"
    path.write_text("id,doc_id,text,label\n1,d,Wir lehnen das ab.,critical\n", "utf-8")
    done = run_in_process("haltung", "validate-data", str(path))
    assert done.returncode == 0, done.stderr
    assert "warning" in done.stdout and "no record has an actor" in done.stdout


@needs_gerntsa
def test_own_corpus_trains_from_a_config_dir_outside_the_repository(tmp_path, store):
    own_config(tmp_path / "conf", GERNTSA)
    done = run_in_process(
        "haltung-train",
        "--config-dir",
        str(tmp_path / "conf"),
        f"paths.experiments_dir={store['dir']}",
        "tracking.experiment_name=test",
        "data=my_gerntsa",
        "task=sentiment",
        "model=tfidf_svm",
        "split=kfold",
        "split.n_folds=2",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr
    (run,) = runs(store["uri"])
    assert run.data.tags["data"] == "my_gerntsa" and run.data.metrics["test_n"] == 3590
    # a sentiment run is scored on its own data only: no stance corpora come along
    assert not [m for m in run.data.metrics if m.startswith(("haltung_", "seed_article"))]


@needs_gerntsa
@pytest.mark.parametrize("model", ["tfidf_svm", "tfidf_nb"])
def test_baselines_beat_the_majority_on_skewed_labels(model):
    """GerNTSA is 59 % neutral: a baseline must not collapse onto it (calibration, priors)."""
    scores = {}
    for name in ("majority", model):
        cfg = compose(
            [
                "task=sentiment",
                "data=gerntsa",
                f"data.path={GERNTSA}",
                f"model={name}",
                "split=kfold",
                "split.n_folds=2",
                "evaluation.bootstrap_samples=50",
            ]
        )
        scores[name] = harness.run(harness.prepare(cfg)).evaluation.metrics["macro_f1"]
    assert scores[model] > scores["majority"] + 0.07, scores
