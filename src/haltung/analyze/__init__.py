"""Whole articles in, one row per (sentence, actor) out: split → detect actors → classify.

    analyzer = ArticleAnalyzer(classifier.predict_proba, detector=build_detector(cfg.analyze))
    for article in read_articles(path):
        writer.write(analyzer.rows(article))        # writer = open_writer("html", out)

Rows have the columns of `COLUMNS`. Articles are read and analysed one at a time, so memory
stays flat however large the input. Nothing here imports the classifier: any `Classify`
function does.
"""

from haltung.analyze.articles import Article, read_articles
from haltung.analyze.pipeline import (
    COLUMNS,
    ArticleAnalyzer,
    Classify,
    Detector,
    analyze_texts,
    build_detector,
)
from haltung.analyze.report import HtmlReport
from haltung.analyze.writers import FORMATS, RowWriter, open_writer

__all__ = [
    "COLUMNS",
    "FORMATS",
    "Article",
    "ArticleAnalyzer",
    "Classify",
    "Detector",
    "HtmlReport",
    "RowWriter",
    "analyze_texts",
    "build_detector",
    "open_writer",
    "read_articles",
]
