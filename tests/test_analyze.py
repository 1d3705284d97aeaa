"""Whole articles: `StanceClassifier.analyze`, `haltung analyze`, `haltung evaluate-pipeline`."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from mlflow import MlflowClient

from conftest import ROOT, run_script

pytest.importorskip("haltung.text.actors")
from haltung import StanceClassifier
from haltung.analyze import COLUMNS, read_articles
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.errors import DataError
from haltung.models import build_estimator
from haltung.tracking.pyfunc import save_model_folder

STANCE = ("supportive", "critical", "evasive", "none")
SEED = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """tfidf_logreg trained on the corpus's training split (a second or two)."""
    records = load_dataset(DataSpec.from_config(compose().data), STANCE).frame
    train = records[records["split"] == "train"]
    estimator = build_estimator(compose(["model=tfidf_logreg"]).model)
    estimator.fit(train[["text", "actor"]], train["label"])
    folder = tmp_path_factory.mktemp("analyze") / "model"
    return save_model_folder(estimator, STANCE, folder, train[["text", "actor"]].head(2))


@pytest.fixture(scope="module")
def classifier(model_dir):
    return StanceClassifier.load(model_dir)


def test_seed_article_gives_one_row_per_sentence_and_actor(classifier):
    rows = classifier.analyze(SEED.read_text("utf-8"), doc_id="seed")
    assert list(rows.columns) == COLUMNS
    assert rows["sentence_index"].nunique() == 29  # as annotated in data/seed-article
    assert rows["sentence_index"].min() == 1
    assert set(rows["stance"]) <= set(STANCE)
    assert rows["score"].between(0, 1).all()
    assert (rows["actor"] == "").any() and (rows["actor"] != "").any()
    china = rows[rows["sentence"].str.contains("Angelegenheit") & (rows["sentence_index"] == 1)]
    assert "China" in " ".join(china["actor"])


def test_sentence_without_actor_still_gets_a_row(classifier):
    rows = classifier.analyze("Die Sitzung dauerte drei Stunden. VERWANDTE GESCHICHTEN")
    assert len(rows) >= 2 and (rows["actor"] == "").all()


def test_a_100000_character_sentence(classifier):
    text = "Der Verband kritisierte " + "die sehr lange Liste " * 5000 + "scharf."
    started = time.perf_counter()
    rows = classifier.analyze(text)
    assert len(rows) >= 1 and time.perf_counter() - started < 60


def test_cli_table_jsonl_csv(model_dir):
    done = run_script(
        "haltung", "analyze", str(SEED), "--model", str(model_dir), "--format", "jsonl"
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["sentence_index"] for r in rows} == set(range(1, 30))
    assert set(rows[0]) == set(COLUMNS)
    done = run_script("haltung", "analyze", str(SEED), "--model", str(model_dir), "--format", "csv")
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS)
    done = run_script("haltung", "analyze", str(SEED), "--model", str(model_dir))
    assert done.returncode == 0 and "Lin Jian" in done.stdout


def test_html_report_is_standalone(model_dir, tmp_path):
    out = tmp_path / "report.html"
    done = run_script(
        "haltung",
        "analyze",
        str(SEED),
        "--model",
        str(model_dir),
        "--format",
        "html",
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from the network
    assert "<h2>Actors</h2>" in page and "Rutte" in page


def test_folder_and_jsonl_of_articles(model_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Die Gewerkschaft lehnte das Angebot ab.", "utf-8")
    (folder / "b.txt").write_text("Der Minister wollte sich nicht äußern.", "utf-8")
    done = run_script(
        "haltung", "analyze", str(folder), "--model", str(model_dir), "--format", "csv"
    )
    frame = pd.read_csv(pd.io.common.StringIO(done.stdout))
    assert set(frame["doc_id"]) == {"a", "b"}
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"id": f"x{i}", "text": "Er lobte den Plan."}) for i in range(3)),
        "utf-8",
    )
    done = run_script(
        "haltung", "analyze", str(jsonl), "--model", str(model_dir), "--format", "csv"
    )
    assert set(pd.read_csv(pd.io.common.StringIO(done.stdout))["doc_id"]) == {"x0", "x1", "x2"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"  \n", "is empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00", "binary"),
        ("latin.txt", "Der Bürgermeister lehnte ab.".encode("cp1252"), "--encoding cp1252"),
        ("bad.jsonl", b'{"id": 1, "text": "Gut."}\n{"id": 2, "text": \n', "line 2: not valid JSON"),
        ("notext.jsonl", b'{"id": 1}\n', "expected an object with a `text` string"),
    ],
)
def test_bad_input_is_one_clear_message(model_dir, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    done = run_script("haltung", "analyze", str(path), "--model", str(model_dir))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_legacy_encoding_on_request(model_dir, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Der Bürgermeister lehnte den Plan ab.".encode("cp1252"))
    done = run_script(
        "haltung",
        "analyze",
        str(path),
        "--model",
        str(model_dir),
        "--encoding",
        "cp1252",
        "--format",
        "jsonl",
    )
    assert done.returncode == 0, done.stderr
    assert "Bürgermeister" in json.loads(done.stdout.splitlines()[0])["sentence"]


def test_jsonl_is_read_as_a_stream(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Erster Artikel."}) + "\n{broken\n", "utf-8")
    articles = read_articles(path)
    assert next(articles).id == "a"  # yielded before the broken line is read
    with pytest.raises(DataError, match="line 2"):
        next(articles)


def test_evaluate_pipeline_on_the_seed_article(model_dir, tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = run_script(
        "haltung",
        "evaluate-pipeline",
        "--model",
        str(model_dir),
        "--split",
        "",
        "--tracking-uri",
        uri,
    )
    assert done.returncode == 0, done.stderr
    assert "segmentation_exact_match" in done.stdout
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("haltung-pipeline").experiment_id])
    metrics = run.data.metrics
    assert metrics["seed_article_sentences_gold"] == 29
    assert 0 <= metrics["seed_article_e2e_f_stance"] <= 1
    assert metrics["seed_article_segmentation_exact_match"] > 0.8
