"""Corpus-scale analysis on Spark: the same rows as `haltung analyze`, computed on executors.

    rows = analyze_on_spark("articles/", "rows.parquet", model_dir=folder, analyze_cfg=cfg,
                            master="local[4]")

Articles come from a folder (or file) of JSONL (`id`, `text`) or Parquet (`id` or `doc_id`,
`text`). The model folder is shipped to the executors once (`SparkContext.addFile`); each Python
worker builds the splitter, the detector and the model once and analyses its partitions with
`ArticleAnalyzer` (`mapInPandas`). Rows are written as Parquet, ordered as the input (article,
then sentence, then actor): the columns of `haltung analyze --format csv`. Needs `pyspark` and a
Java runtime (`pip install 'haltung[spark]'`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from haltung.errors import DataError, HaltungError

COLUMNS = ["doc_id", "sentence_index", "sentence", "actor", "entity", "stance", "score", "reason"]
SCHEMA = (
    "doc_id string, sentence_index long, sentence string, actor string, entity string, "
    "stance string, score double, reason string, _article long, _row long"
)
_ANALYZERS: dict[str, Any] = {}  # per Python worker: (model, settings) -> ArticleAnalyzer


def analyze_on_spark(
    source: str | Path,
    output: str | Path,
    *,
    model_dir: str | Path,
    analyze_cfg: Mapping[str, Any],
    master: str | None = None,
    partitions: int | None = None,
) -> int:
    """Analyse every article under `source` on Spark and write the rows to the Parquet folder
    `output` (replaced only when the job succeeded). Articles are spread over `partitions`
    (default: Spark's default parallelism). Returns the number of rows."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise HaltungError(
            "--engine spark needs pyspark and Java 17+: pip install 'haltung[spark]'."
        ) from None
    source, output, model_dir = Path(source), Path(output), Path(model_dir).resolve()
    kind, files = input_files(source)  # before Spark starts: a bad input fails at once
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    builder = SparkSession.builder.appName("haltung-analyze").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local"):  # workers run this environment's Python
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        articles = _read(spark, source, kind, files)
        articles = articles.repartition(partitions or spark.sparkContext.defaultParallelism)
        spark.sparkContext.addFile(str(model_dir), recursive=True)
        settings = dict(analyze_cfg)
        name = model_dir.name

        def analyse(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            analyzer = _analyzer(name, settings)
            for batch in batches:
                yield _rows(analyzer, batch)

        rows = articles.mapInPandas(analyse, SCHEMA).orderBy("_article", "_row")
        rows = rows.drop("_article", "_row")
        temporary = output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.tmp")
        rows.write.parquet(str(temporary))
        if output.exists():
            shutil.rmtree(output) if output.is_dir() else output.unlink()
        temporary.rename(output)
        return spark.read.parquet(str(output)).count()
    finally:
        _cleanup(output)
        spark.stop()


def input_files(source: Path) -> tuple[str, list[str]]:
    """The kind ("parquet" or "json") and the files of the articles under `source`."""
    if not source.exists():
        raise DataError(f"{source} does not exist: pass a JSONL or Parquet file, or a folder.")
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    parquet = [str(p) for p in files if p.suffix == ".parquet"]
    jsonl = [str(p) for p in files if p.suffix in (".jsonl", ".ndjson", ".json")]
    if parquet and jsonl:
        raise DataError(f"{source} mixes Parquet and JSONL files: keep one kind per folder.")
    if not (parquet or jsonl):
        raise DataError(f"{source} holds no .jsonl or .parquet files to analyse.")
    return ("parquet", parquet) if parquet else ("json", jsonl)


def _read(spark, source: Path, kind: str, files: list[str]):
    """The articles as a DataFrame (doc_id, text, _article: the input order)."""
    from pyspark.sql import functions

    if kind == "parquet":
        frame = spark.read.parquet(*files)
    else:
        frame = spark.read.option("mode", "FAILFAST").json(files)
    ids = [c for c in ("id", "doc_id") if c in frame.columns]
    if "text" not in frame.columns:
        raise DataError(f"{source}: the articles need a `text` column (and an `id`).")
    frame = frame.withColumn("_article", functions.monotonically_increasing_id())
    if ids:
        frame = frame.withColumn("doc_id", functions.col(ids[0]).cast("string"))
    else:
        frame = frame.withColumn("doc_id", functions.concat_ws("-", "_article"))
    return frame.select("doc_id", "text", "_article")


def _analyzer(model_name: str, settings: Mapping[str, Any]):
    """This worker's analyser (built on first use): the shipped model, splitter, detector."""
    key = json.dumps([model_name, settings], sort_keys=True, default=str)
    if key not in _ANALYZERS:
        from pyspark import SparkFiles

        from haltung.analyze.pipeline import ArticleAnalyzer, analyzer_options, build_detector
        from haltung.classifier import StanceClassifier

        model = StanceClassifier.load(SparkFiles.get(model_name))
        _ANALYZERS[key] = ArticleAnalyzer(
            model.predict_proba, detector=build_detector(settings), **analyzer_options(settings)
        )
    return _ANALYZERS[key]


def _rows(analyzer, batch: pd.DataFrame) -> pd.DataFrame:
    """The rows of a batch of articles, with their place in the input."""
    from haltung.analyze.articles import Article

    pairs = zip(batch["doc_id"], batch["text"], strict=True)
    articles = [Article(str(i), str(t or "")) for i, t in pairs]
    frames = analyzer.label([analyzer.find(a) for a in articles])
    parts = [
        frame.reindex(columns=COLUMNS).assign(_article=place, _row=range(len(frame)))
        for frame, place in zip(frames, batch["_article"], strict=True)
        if len(frame)
    ]
    if not parts:
        return pd.DataFrame({c: [] for c in [*COLUMNS, "_article", "_row"]})
    out = pd.concat(parts, ignore_index=True)
    text = ["doc_id", "sentence", "actor", "entity", "stance", "reason"]
    # plain numpy columns: Spark's Arrow conversion does not take pandas' Arrow-backed strings
    return out.astype({c: object for c in text} | {"sentence_index": "int64", "score": "float64"})


def _cleanup(output: Path) -> None:
    """Remove what a failed job left beside `output`."""
    for leftover in output.parent.glob(f".{output.name}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)
