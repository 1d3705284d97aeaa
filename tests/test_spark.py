"""Corpus-scale analysis on Spark (local[2]): the same rows as the local `haltung analyze`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_in_process

pytest.importorskip("pyspark", reason="pip install 'haltung[spark]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (17+)", allow_module_level=True)

MODEL = ROOT / "tests" / "fixtures" / "saved-2026-12-04" / "tfidf_logreg"


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    """60 articles of HaltungNews (our corpus), their sentences joined, as JSONL."""
    corpus = pd.read_json(ROOT / "data/haltung-news/haltung-news.jsonl", lines=True, dtype=False)
    path = tmp_path_factory.mktemp("spark") / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for doc_id, sentences in list(corpus.groupby("doc_id", sort=True)["text"])[:60]:
            text = " ".join(dict.fromkeys(sentences))  # each sentence once, in order
            out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    return path


def test_spark_rows_equal_the_local_rows(articles: Path, tmp_path: Path):
    local = run_in_process(
        "haltung", "analyze", str(articles), "--model", str(MODEL), "--format", "csv",
        "--jobs", "1", "--output", str(tmp_path / "local.csv"),
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    spark = run_in_process(
        "haltung", "analyze", str(articles), "--model", str(MODEL), "--engine", "spark",
        "--master", "local[2]", "--output", str(tmp_path / "rows.parquet"),
    )  # fmt: skip
    assert spark.returncode == 0, spark.stderr[-3000:]
    expected = pd.read_csv(tmp_path / "local.csv", dtype=str, keep_default_na=False)
    found = pd.read_parquet(tmp_path / "rows.parquet")
    assert list(found.columns) == list(expected.columns)
    assert found["doc_id"].nunique() == 60 and len(found) == len(expected) > 300
    assert found.drop(columns="score").astype(str).equals(expected.drop(columns="score"))
    assert (found["score"] - expected["score"].astype(float)).abs().max() < 1e-9
    assert "rows" in spark.stdout and "Traceback" not in spark.stderr


def test_spark_input_errors_are_one_line(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("kein JSONL", encoding="utf-8")
    done = run_in_process(
        "haltung", "analyze", str(tmp_path), "--model", str(MODEL), "--engine", "spark",
        "--output", str(tmp_path / "rows.parquet"),
    )  # fmt: skip
    assert done.returncode != 0
    assert "holds no .jsonl or .parquet files" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "rows.parquet").exists()
