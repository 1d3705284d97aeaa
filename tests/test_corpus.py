"""The shipped corpus: HaltungNews and the annotated seed article."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from conftest import ROOT
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.data.quality import near_duplicates, normalise

STANCE = ("supportive", "critical", "evasive", "none")
CORPUS = ROOT / "data" / "haltung-news"
SEED_ARTICLE = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"
ID = re.compile(r"^(?P<doc>hn\d{4})-(?P<sentence>\d{3})-(?P<record>\d+)$")


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    dataset = load_dataset(DataSpec.from_config(compose(["data=haltung_news"]).data), STANCE)
    raw = pd.read_json(next(CORPUS.glob("*.jsonl")), lines=True, dtype=False)
    return dataset.frame.merge(raw[["id", "topic", "domain", "actor_type"]], on="id")


def test_default_data_is_the_corpus_and_it_validates(corpus):
    assert compose().data.name == "haltung_news"
    assert len(corpus) >= 3000
    assert corpus["doc_id"].nunique() >= 400
    assert corpus["topic"].nunique() >= 40
    assert corpus["domain"].nunique() >= 15


def test_no_label_under_15_percent(corpus):
    shares = corpus["label"].value_counts(normalize=True)
    assert set(shares.index) == set(STANCE)
    assert shares.min() >= 0.15, shares.to_dict()


def test_ids_number_sentences_and_records_in_document_order(corpus):
    parts = corpus["id"].str.extract(ID)
    assert parts.notna().all().all(), corpus.loc[parts.isna().any(axis=1), "id"].tolist()[:5]
    assert (parts["doc"] == corpus["doc_id"]).all()
    for doc, group in corpus.assign(sentence=parts["sentence"].astype(int)).groupby("doc_id"):
        sentences = group.drop_duplicates("sentence")
        assert sentences["sentence"].tolist() == list(range(1, len(sentences) + 1)), doc
        assert 5 <= len(sentences) <= 12, doc
        assert sentences["text"].is_unique, doc  # each sentence once; extra actors repeat it


def test_records_are_consistent(corpus):
    assert (corpus.loc[corpus["label"] == "none", "target"] == "").all()
    assert (corpus.loc[corpus["label"] != "none", "actor"] != "").all()
    pairs = corpus.groupby(["doc_id", "text", "actor", "target"]).size()
    assert (pairs == 1).all(), pairs[pairs > 1].head().to_dict()


def test_splits_are_by_document_and_about_70_10_20(corpus):
    assert (corpus.groupby("doc_id")["split"].nunique() == 1).all()
    docs = corpus.drop_duplicates("doc_id")["split"].value_counts(normalize=True)
    assert docs["train"] == pytest.approx(0.7, abs=0.05)
    assert docs["dev"] == pytest.approx(0.1, abs=0.04)
    assert docs["test"] == pytest.approx(0.2, abs=0.05)
    overall = corpus["label"].value_counts(normalize=True)
    for split, rows in corpus.groupby("split"):
        shares = rows["label"].value_counts(normalize=True)
        assert (shares - overall).abs().max() < 0.06, (split, shares.to_dict())


def test_no_exact_or_near_duplicate_sentences_across_splits(corpus):
    sentences = corpus.drop_duplicates(["doc_id", "text"])
    assert not sentences["text"].map(normalise).duplicated().any()
    by_split = {s: rows["text"].tolist() for s, rows in sentences.groupby("split")}
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        found = near_duplicates(by_split[a], by_split[b], threshold=0.8)
        assert not found, [(by_split[a][i], by_split[b][j]) for i, j, _ in found[:3]]


def test_no_cue_phrase_carries_a_label(corpus):
    """The most common word trigram of each stance label occurs in under 15% of its records."""
    for label in ("supportive", "critical", "evasive"):
        texts = corpus.loc[corpus["label"] == label, "text"]
        counts = Counter()
        for text in texts:
            words = re.findall(r"\w+", text.lower())
            counts.update({tuple(words[i : i + 3]) for i in range(len(words) - 2)})
        phrase, n = counts.most_common(1)[0]
        assert n / len(texts) < 0.15, (label, " ".join(phrase), n / len(texts))


def test_seed_article_annotation_covers_the_article_line_by_line():
    dataset = load_dataset(DataSpec.from_config(compose(["data=seed_article"]).data), STANCE)
    raw = pd.read_json(
        ROOT / "data" / "seed-article" / "seed-article.jsonl", lines=True, dtype=False
    )
    sentences = raw.drop_duplicates(["line", "text"])
    assert len(sentences) == 29 and len(dataset.frame) == 33
    assert (dataset.frame["split"] == "test").all()
    lines = SEED_ARTICLE.read_text("utf-8").splitlines()
    for number, line in enumerate(lines, start=1):  # a line is never merged with the next
        segments = sentences.loc[sentences["line"] == number, "text"].tolist()
        assert segments, f"line {number} has no sentence"
        assert " ".join(segments).split() == line.split(), number


def test_seed_article_is_an_unchanged_copy():
    original = ROOT.parent / "shared" / "seeds" / SEED_ARTICLE.name
    if not original.is_file():
        pytest.skip("shared/seeds is not beside this checkout")
    assert SEED_ARTICLE.read_bytes() == original.read_bytes()
