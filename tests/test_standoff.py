"""Stand-off corpora: building HaltungReal from its labels and the sources, and its checks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_in_process, runs
from haltung.config import compose
from haltung.data.corpora import load_data, load_test_set
from haltung.data.standoff import build_corpus, is_current, read_annotations, sentence_hash
from haltung.errors import DataError

SHARED = ROOT.parent / "shared" / "data"
ANNOTATIONS = ROOT / "data" / "haltung-real" / "annotations.jsonl"
STANCE = ("supportive", "critical", "evasive", "none")
needs_shared = pytest.mark.skipif(
    not (SHARED / "gerntsa").is_dir(), reason="needs the source data in ../shared/data"
)

ANSWER = "Herr Kollege, vielen Dank. Dazu kann ich Ihnen heute nichts sagen."
SNIPPET = "Der Verband lehnt die Reform ab.. Das Spiel endete 2:1."


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A source folder laid out as the dataset cards describe, with one item each."""
    folder = tmp_path / "sources"
    (folder / "bundestag-fragestunde").mkdir(parents=True)
    (folder / "gerntsa").mkdir()
    answer = {"id": "wp18-001-0001", "answer": ANSWER, "question": "Wann kommt der Bericht?"}
    (folder / "bundestag-fragestunde" / "fragestunde.jsonl").write_text(
        json.dumps(answer, ensure_ascii=False) + "\n", "utf-8"
    )
    snippet = {"id": "abc", "opinion_snippet": SNIPPET, "target": "Reform"}
    (folder / "gerntsa" / "GerNTSA.json").write_text(json.dumps([snippet]), "utf-8")
    return folder


def annotation(source: str, source_id: str, text: str, start: int, **fields) -> dict:
    end = start + len(text)
    return {
        "id": f"{source_id}-{start}",
        "source": source,
        "source_id": source_id,
        "start": start,
        "end": end,
        "sha256": sentence_hash(text),
        "doc_id": source_id,
        "split": "test",
        "actor": "",
        "label": "none",
        **fields,
    }


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "annotations.jsonl"
    rows = [
        annotation("bundestag-fragestunde", "wp18-001-0001", "Herr Kollege, vielen Dank.", 0),
        annotation(
            "bundestag-fragestunde",
            "wp18-001-0001",
            "Dazu kann ich Ihnen heute nichts sagen.",
            27,
            actor="Dr. Muster",
            label="evasive",
        ),
        annotation("gerntsa", "abc", "Der Verband lehnt die Reform ab..", 0, actor="Verband"),
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_build_joins_text_and_question_context(sources, labels, tmp_path):
    out = tmp_path / "corpus"
    counts = build_corpus(labels, sources, out)
    assert counts == {"bundestag-fragestunde": 2, "gerntsa": 1}
    answers = pd.read_json(out / "fragestunde.jsonl", lines=True)
    assert answers["text"].tolist() == [
        "Herr Kollege, vielen Dank.",
        "Dazu kann ich Ihnen heute nichts sagen.",
    ]
    assert set(answers["context"]) == {"Wann kommt der Bericht?"}
    news = pd.read_json(out / "gerntsa.jsonl", lines=True)
    assert news["text"].tolist() == ["Der Verband lehnt die Reform ab.."]
    assert news["context"].tolist() == [""]
    assert is_current(out, labels)
    labels.write_text(labels.read_text("utf-8") + "\n", "utf-8")  # the labels change
    assert not is_current(out, labels)


def test_changed_source_text_names_the_record(sources, labels, tmp_path):
    path = sources / "bundestag-fragestunde" / "fragestunde.jsonl"
    row = json.loads(path.read_text("utf-8"))
    row["answer"] = row["answer"].replace("nichts", "gar nichts")
    path.write_text(json.dumps(row, ensure_ascii=False), "utf-8")
    with pytest.raises(DataError, match=r"wp18-001-0001-27: the text at .* no longer matches"):
        build_corpus(labels, sources, tmp_path / "corpus")
    assert not (tmp_path / "corpus").exists()  # nothing half-built


def test_missing_source_file_and_item_are_clear(sources, labels, tmp_path):
    (sources / "gerntsa" / "GerNTSA.json").unlink()
    with pytest.raises(DataError, match=r"GerNTSA.json is missing.*haltung data fetch gerntsa"):
        build_corpus(labels, sources, tmp_path / "corpus")
    (sources / "gerntsa" / "GerNTSA.json").write_text("[]", "utf-8")
    with pytest.raises(DataError, match="abc-0: gerntsa has no item 'abc'"):
        build_corpus(labels, sources, tmp_path / "corpus")


def test_malformed_annotations_are_clear(tmp_path):
    bad = tmp_path / "a.jsonl"
    bad.write_text('{"id": "x", "source": "gerntsa"}\n', "utf-8")
    with pytest.raises(DataError, match="line 1: missing source_id, start, end, sha256"):
        read_annotations(bad)
    bad.write_text("{not json\n", "utf-8")
    with pytest.raises(DataError, match="line 1: not valid JSON"):
        read_annotations(bad)


def test_build_command_without_sources_says_what_to_do(tmp_path):
    done = run_in_process(
        "haltung",
        "data",
        "build",
        "haltung-real",
        "--source",
        str(tmp_path),
        "--output",
        str(tmp_path / "out"),
    )
    assert done.returncode == 2
    assert "fragestunde.jsonl is missing" in done.stderr and "Traceback" not in done.stderr


def test_test_set_without_sources_is_skipped(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("HALTUNG_SOURCES", str(tmp_path / "nowhere"))
    where = tmp_path / "real"
    real = compose(["data=haltung_real", f"data.build.output={where}", f"data.path={where}"])
    assert real.data.build.source == str(tmp_path / "nowhere")
    assert load_test_set(real.data, STANCE) is None
    assert "has not been built" in caplog.text
    assert "haltung data build haltung-real --source DIR" in caplog.text
    partial = tmp_path / "partial" / "gerntsa"  # e.g. GerNTSA fetched, question time missing
    partial.mkdir(parents=True)
    (partial / "GerNTSA.json").write_text("[]", "utf-8")
    real.data.build.source = str(partial.parent)
    assert load_test_set(real.data, STANCE) is None
    assert "fragestunde.jsonl is missing" in caplog.text


@needs_shared
def test_shipped_labels_build_into_the_corpus_the_datasheet_describes(tmp_path):
    out = tmp_path / "haltung-real"
    counts = build_corpus(ANNOTATIONS, SHARED, out)
    assert counts["bundestag-fragestunde"] >= 1000 and counts["gerntsa"] >= 1000
    frame = pd.concat(pd.read_json(p, lines=True, dtype=False) for p in out.glob("*.jsonl"))
    assert len(frame) >= 3000
    assert (frame["label"] == "evasive").sum() >= 400
    assert (frame["split"] == "test").sum() >= 700
    assert frame.groupby("doc_id")["split"].nunique().max() == 1  # a document in one split
    sittings = frame[frame["source"] == "bundestag-fragestunde"]
    assert (sittings["context"] != "").all()  # every answer has its question
    long = frame[frame["text"].str.len() >= 40]
    assert long.groupby("text")["split"].nunique().max() == 1  # no sentence in two splits


@needs_shared
def test_combined_data_config_keeps_each_corpus(tmp_path):
    cfg = compose(["data=news_real"])
    dataset = load_data(cfg.data, STANCE)
    assert set(dataset.frame["corpus"]) == {"haltung_news", "haltung_real"}
    assert dataset.frame["id"].is_unique
    assert (dataset.frame.loc[dataset.frame["corpus"] == "haltung_news", "context"] == "").all()
    assert len(dataset.files) == 3  # haltung-news.jsonl, fragestunde.jsonl, gerntsa.jsonl


def test_ids_must_be_unique_across_corpora():
    cfg = compose(["data=news_real", "data.corpora.haltung_real=${data.corpora.haltung_news}"])
    cfg.data.corpora.haltung_real.name = "copy"
    with pytest.raises(DataError, match="unique across the corpora"):
        load_data(cfg.data, STANCE)


@needs_shared
def test_a_run_on_two_corpora_scores_each_test_split(store):
    from mlflow import MlflowClient

    done = run_in_process(
        "haltung-train",
        *store["overrides"],
        "data=news_real",
        "model=tfidf_nb",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr
    client = MlflowClient(store["uri"])
    (run,) = runs(store["uri"])
    metrics = run.data.metrics
    assert metrics["test_n"] == metrics["haltung_news_n"] + metrics["haltung_real_n"]
    assert metrics["haltung_real_n"] == (
        metrics["haltung_real_fragestunde_n"] + metrics["haltung_real_news_n"]
    )
    real = pd.read_csv(client.download_artifacts(run.info.run_id, "predictions_haltung_real.csv"))
    assert set(real["corpus"]) == {"haltung_real"} and len(real) == metrics["haltung_real_n"]
    assert "haltung_real: f_stance" in done.stdout


@needs_shared
def test_gerntsa_folds_never_split_a_snippet():
    from haltung.data.splits import make_folds

    cfg = compose(["experiment=gerntsa_sentiment"])
    frame = load_data(cfg.data, ("positive", "neutral", "negative")).frame
    assert len(frame) == 3590 and frame["id"].is_unique
    assert (frame["actor"] == frame["target"]).all()  # the target fills the actor slot
    folds = make_folds(frame, 5, seed=1)
    owner = {}
    for k, fold in enumerate(folds):
        for doc in set(frame["doc_id"].iloc[fold.test]):
            assert owner.setdefault(doc, k) == k
    assert len(owner) == frame["doc_id"].nunique()


def test_fetch_gerntsa_from_a_server_and_fail_clearly_without_one(tmp_path):
    import functools
    import http.server
    import threading

    from haltung.data.sources import fetch_gerntsa

    served = tmp_path / "served"
    served.mkdir()
    (served / "GerNTSA.json").write_text('[{"id": "1", "opinion_snippet": "Gut."}]', "utf-8")
    (served / "broken.json").write_text("<html>not the data</html>", "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        path = fetch_gerntsa(tmp_path / "sources", url=f"{base}/GerNTSA.json")
        assert path == tmp_path / "sources" / "gerntsa" / "GerNTSA.json"
        assert json.loads(path.read_text("utf-8"))[0]["opinion_snippet"] == "Gut."
        with pytest.raises(DataError, match="not valid JSON"):
            fetch_gerntsa(tmp_path / "other", url=f"{base}/broken.json")
        assert not any((tmp_path / "other" / "gerntsa").iterdir())  # nothing half-written
    finally:
        server.shutdown()
    with pytest.raises(DataError, match=r"could not be downloaded .* copy GerNTSA\.json"):
        fetch_gerntsa(tmp_path / "x", url="http://127.0.0.1:9/GerNTSA.json", timeout=5)
