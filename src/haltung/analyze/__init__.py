"""Whole articles in, one row per (sentence, actor) out: split → detect actors → classify.

    analyzer = ArticleAnalyzer(
        classifier.predict_proba,
        detector=build_detector(cfg.analyze),
        **analyzer_options(cfg.analyze),            # actorless: none | classify
    )
    for article in read_articles(path):
        writer.write(analyzer.rows(article))        # writer = open_writer("html", out, about=…)
    for rows in analyze_articles(analyzer, read_articles(path), jobs=2):
        writer.write(rows)                          # the same rows; 2 processes split and detect

Rows have the columns of `COLUMNS` (actor as written, entity its canonical name; a sentence
without an actor is `none` with the reason `NO_ACTOR` unless actorless=classify). Articles are
read and analysed a chunk at a time (`article_chunks`), so memory stays flat however large the
input. Nothing here imports the classifier: any `Classify` function does.
"""

from haltung.analyze.articles import Article, read_articles
from haltung.analyze.parallel import Workers, analyze_articles, analyze_chunks, article_chunks
from haltung.analyze.pipeline import (
    ACTORLESS,
    COLUMNS,
    NO_ACTOR,
    ArticleAnalyzer,
    Classify,
    Detector,
    Record,
    analyze_texts,
    analyzer_options,
    build_detector,
)
from haltung.analyze.report import HtmlReport
from haltung.analyze.writers import FORMATS, RowWriter, atomic_output, open_writer

__all__ = [
    "ACTORLESS",
    "COLUMNS",
    "FORMATS",
    "NO_ACTOR",
    "Article",
    "ArticleAnalyzer",
    "Classify",
    "Detector",
    "HtmlReport",
    "Record",
    "RowWriter",
    "Workers",
    "analyze_articles",
    "analyze_chunks",
    "analyze_texts",
    "analyzer_options",
    "article_chunks",
    "atomic_output",
    "build_detector",
    "open_writer",
    "read_articles",
]
