"""A researcher's own corpus: a data config outside the repository, validated and trained with
the commands the README shows; baselines that stay above the majority on skewed labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_in_process, runs
from haltung import harness
from haltung.config import compose

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
    assert "data config 'mine'" in done.stdout and "records: 45" in " ".join(done.stdout.split())
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
