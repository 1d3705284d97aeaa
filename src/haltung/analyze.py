"""Whole articles in, one row per (sentence, actor) out: split → detect actors → classify.

    rows = analyze_text(classifier, text)          # a pandas DataFrame
    for rows in analyze_articles(classifier, read_articles(path)): ...   # a stream

Columns: doc_id, sentence_index (1-based), sentence, actor ('' when none is found), stance,
score (the probability of that stance). Articles are read and analysed one at a time, so
memory stays flat however large the input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from haltung.data.loaders import decode_text
from haltung.errors import DataError

ENCODING_HINT = (
    "If the file is Latin-1 or Windows-1252, pass --encoding cp1252; or save it as UTF-8."
)
COLUMNS = ["doc_id", "sentence_index", "sentence", "actor", "stance", "score"]


@dataclass(frozen=True)
class Article:
    """One input document."""

    id: str
    text: str


class ArticleAnalyzer:
    """Holds the sentence splitter and actor detector, which are costly to build."""

    def __init__(self, classifier, gazetteer: Iterable[str] = (), spacy_model: str | None = None):
        """`gazetteer` adds names to conf/analyze/default.yaml's; `spacy_model` overrides it."""
        from haltung.text.actors import ActorDetector
        from haltung.text.sentences import SentenceSplitter

        self.classifier = classifier
        self.splitter = SentenceSplitter()
        self.detector = ActorDetector(gazetteer=gazetteer, spacy_model=spacy_model)

    def rows(self, article: Article) -> pd.DataFrame:
        """The (sentence, actor) rows of one article, with the classifier's stance and score."""
        sentences = self.splitter.split(article.text)
        if not sentences:
            return pd.DataFrame(columns=COLUMNS)
        actors = self.detector.detect([s.text for s in sentences])
        records = [
            (article.id, i, sentence.text, actor)
            for i, (sentence, found) in enumerate(zip(sentences, actors, strict=True), start=1)
            for actor in (found or [""])
        ]
        frame = pd.DataFrame(records, columns=COLUMNS[:4])
        proba = self.classifier.predict_proba(frame["sentence"].tolist(), frame["actor"].tolist())
        frame["stance"] = proba.idxmax(axis=1).to_numpy()
        frame["score"] = proba.max(axis=1).round(4).to_numpy()
        return frame

    def stream(self, articles: Iterable[Article]) -> Iterator[pd.DataFrame]:
        for article in articles:
            yield self.rows(article)


def analyze_texts(classifier, texts: Iterable[str], **options) -> pd.DataFrame:
    """Analyse several articles (ids doc1, doc2, …) into one frame (options: ArticleAnalyzer's)."""
    analyzer = ArticleAnalyzer(classifier, **options)
    frames = [analyzer.rows(Article(f"doc{i}", t)) for i, t in enumerate(texts, start=1)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


# --------------------------------------------------------------------------- reading input
def read_articles(path: str | Path, encoding: str = "utf-8") -> Iterator[Article]:
    """Articles from a text file, a folder of .txt files, or JSONL with `id` and `text`.

    JSONL is read line by line (constant memory). Empty, binary or wrongly encoded input is a
    `DataError` that names the file and line.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
        if not files:
            raise DataError(f"{path} holds no .txt files to analyse.")
        for file in files:
            yield Article(file.stem, _read_text(file, encoding))
    elif not path.is_file():
        raise DataError(f"{path} does not exist: pass a .txt file, a folder of them, or JSONL.")
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, encoding)
    else:
        yield Article(path.stem, _read_text(path, encoding))


def _read_text(path: Path, encoding: str) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path} is empty: there is nothing to analyse.")
    if b"\x00" in raw[:8192]:
        raise DataError(f"{path} looks like a binary file, not text.")
    return decode_text(raw, encoding, hint=ENCODING_HINT, where=f"{path}, ")


def _read_jsonl(path: Path, encoding: str) -> Iterator[Article]:
    seen = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                raise DataError(f"{path}, line {number}: binary data, not JSON text.")
            line = decode_text(raw, encoding, ENCODING_HINT, f"{path}, ", number).strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}, line {number}: not valid JSON ({err.msg}).") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise DataError(f"{path}, line {number}: expected an object with a `text` string.")
            seen += 1
            yield Article(str(record.get("id") or f"{path.stem}-{number}"), record["text"])
    if not seen:
        raise DataError(f"{path} holds no articles.")
