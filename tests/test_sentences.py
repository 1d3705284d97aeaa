"""Sentence splitting of German news: rules, offsets, robustness, gold data."""

from __future__ import annotations

import dataclasses
import json
import time
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from haltung.evaluation.pipeline import article_text
from haltung.text import sentences as module
from haltung.text.sentences import Sentence, SentenceSplitter, split_sentences

SEED_TEXT = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"
SEED_GOLD = ROOT / "data" / "seed-article" / "seed-article.jsonl"
CORPUS = ROOT / "data" / "haltung-news" / "haltung-news.jsonl"


@pytest.fixture(scope="module")
def splitter() -> SentenceSplitter:
    return SentenceSplitter()


@pytest.fixture(scope="module")
def texts(splitter):
    """Sentence texts of a text."""
    return lambda text: [s.text for s in splitter.split(text)]


def assert_offsets(text: str, sentences: list[Sentence]) -> None:
    """Every sentence is its exact, stripped, non-empty span; spans are ordered."""
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
    assert all(a.end <= b.start for a, b in pairwise(sentences))


# API


def test_sentence_is_a_frozen_dataclass():
    sentence = Sentence("Er kam.", 1, 0, 7)
    assert [f.name for f in dataclasses.fields(Sentence)] == ["text", "line", "start", "end"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sentence.text = "x"  # type: ignore[misc]


def test_split_sentences_matches_a_splitter(splitter):
    text = "Er kam.\nSie ging. Dann regnete es."
    assert (
        split_sentences(text)
        == splitter.split(text)
        == [
            Sentence("Er kam.", 1, 0, 7),
            Sentence("Sie ging.", 2, 8, 17),
            Sentence("Dann regnete es.", 2, 18, 34),
        ]
    )


def test_empty_input(splitter):
    assert splitter.split("") == []
    assert splitter.split(" \n\t\n\u200b\n") == []


# Lines


def test_a_line_is_never_merged_with_the_next(texts):
    text = (
        "VERWANDTE GESCHICHTEN\n"
        "„Materie für sich“\n"
        "Die Ukraine enthüllt „abgefangene“ Funkkommunikation nordkoreanischer Soldaten\n"
        "Herausgegeben von Mike Firn."
    )
    assert texts(text) == text.split("\n")


def test_line_numbers_and_empty_lines(splitter):
    text = "Erster Satz.\n\n   \nZweiter Satz. Dritter Satz.\n"
    assert [(s.line, s.text) for s in splitter.split(text)] == [
        (1, "Erster Satz."),
        (4, "Zweiter Satz."),
        (4, "Dritter Satz."),
    ]


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(splitter, newline):
    text = newline.join(["Erster Satz.", "", "Zweiter Satz", "Dritter Satz."]) + newline
    sentences = splitter.split(text)
    assert [(s.line, s.text) for s in sentences] == [
        (1, "Erster Satz."),
        (3, "Zweiter Satz"),
        (4, "Dritter Satz."),
    ]
    assert_offsets(text, sentences)


# Splitting within a line


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Er kam. Sie ging.", ["Er kam.", "Sie ging."]),
        ("Wie geht es weiter? Das ist offen.", ["Wie geht es weiter?", "Das ist offen."]),
        ("Das reicht! Wir gehen.", ["Das reicht!", "Wir gehen."]),
        ("Er sagte: „Das ist gut.“ Dann ging er.", ["Er sagte: „Das ist gut.“", "Dann ging er."]),
        ("Er sagte: 'Wir gehen.' Dann ging er.", ["Er sagte: 'Wir gehen.'", "Dann ging er."]),
        ("»Das ist gut«, sagte er. »Wirklich?«", ["»Das ist gut«, sagte er.", "»Wirklich?«"]),
        ("Das war's. Tschüs!", ["Das war's.", "Tschüs!"]),
    ],
)
def test_split_after_final_punctuation(texts, text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainische Streitkräfte starteten am 6. August einen Einmarsch.",
        "Putin und Kim unterzeichneten am 19. Juni einen Vertrag.",
        "Das Gesetz tritt am 3. Oktober 2024 in Kraft.",
        "Aktualisiert: 19. Juni, 16.45 Uhr",
        "Die Frist läuft vom 3. bis 5. Mai.",
        "Der 1. FC Köln spielt im 19. Jahrhundert den 3. Platz aus.",
        "Er ist 1. Vorsitzender des Vereins.",
        "Über 10.000 Soldaten, 4,5 Prozent oder 1.200.000 Stimmen.",
        "Dr. Müller, Prof. Meier und St. Pauli zahlen z. B. 5 Mio. Euro.",
        "Das gilt u. a. für Nr. 5 bzw. Nr. 6, ca. 3 Mrd. Euro.",
        "Bundeskanzler a. D. Gerhard Schröder und George W. Bush kamen.",
        "Dazu zählt z. B. Die Linke.",
        "„Wer soll das bezahlen?“, fragte der Landrat.",
        "„Nie wieder!“, rief sie, „nie wieder!“",
        "„Wer soll das bezahlen?“ fragte der Landrat.",
        "TAIPEH, Taiwan – Die Vereinigten Staaten bestätigten die Berichte.",
        "BERLIN – Die Regierung hat beschlossen.",
        "BERLIN (dpa) – Die Regierung hat beschlossen.",
        "„Wir werden […] Die Regierung muss handeln“, sagte er.",
        "1. Die Steuer steigt.",
    ],
)
def test_no_split(texts, text):
    assert texts(text) == [text]


def test_quote_spanning_two_sentences(texts):
    text = "„Das Gesetz ist ein Fehler. Es trifft die Falschen“, sagte sie."
    assert texts(text) == ["„Das Gesetz ist ein Fehler.", "Es trifft die Falschen“, sagte sie."]
    text = "„Die DVRK ist souverän. „Wie sie handelt, ist ihre Sache“, sagte Lin."
    assert texts(text) == [
        "„Die DVRK ist souverän.",
        "„Wie sie handelt, ist ihre Sache“, sagte Lin.",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Die Mannschaft landete auf Platz 3. Der Trainer war zufrieden.",
            ["Die Mannschaft landete auf Platz 3.", "Der Trainer war zufrieden."],
        ),
        (
            "Deutschland belegt Platz 25. Slowenien hat die Armut gesenkt.",
            ["Deutschland belegt Platz 25.", "Slowenien hat die Armut gesenkt."],
        ),
        (
            "Die Quote stieg auf 4,5. Die Regierung schwieg.",
            ["Die Quote stieg auf 4,5.", "Die Regierung schwieg."],
        ),
        (
            "Das Spiel endete 2:1. Die Fans jubelten.",
            ["Das Spiel endete 2:1.", "Die Fans jubelten."],
        ),
        (
            "Er landete auf Platz 3. „Wir sind zufrieden“, sagte er.",
            ["Er landete auf Platz 3.", "„Wir sind zufrieden“, sagte er."],
        ),
        (
            "Der Preis stieg um 4,5 Prozent. 10.000 Menschen demonstrierten.",
            ["Der Preis stieg um 4,5 Prozent.", "10.000 Menschen demonstrierten."],
        ),
        (
            "Das Gesetz tritt am 1. Januar 2025 in Kraft. 2026 folgt Stufe zwei.",
            ["Das Gesetz tritt am 1. Januar 2025 in Kraft.", "2026 folgt Stufe zwei."],
        ),
    ],
)
def test_split_after_and_before_numbers(texts, text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Rückendeckung kam von der Wirtschaftskammer Tirol. Die Regierung schweigt.",
            ["Rückendeckung kam von der Wirtschaftskammer Tirol.", "Die Regierung schweigt."],
        ),
        (
            "Es ging um Goldman Sachs. Die Bank schwieg.",
            ["Es ging um Goldman Sachs.", "Die Bank schwieg."],
        ),
        ("Die Kosten: 5 Mio. Die Regierung zahlt.", ["Die Kosten: 5 Mio.", "Die Regierung zahlt."]),
        (
            "Angeklagt ist Thomas K. Er hat gestanden.",
            ["Angeklagt ist Thomas K.", "Er hat gestanden."],
        ),
    ],
)
def test_split_after_abbreviations(texts, text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Die Varianten BA.4 und BA.5 stammen nicht von BA.1 ab, sagte die Virologin.",
        "Das regelt Paragraf 5.Abs.2 des Gesetzes, sagte der Anwalt.",
        "Die Frist steht in Abs.3 der Verordnung.",
        "Das Aktenzeichen lautet Z 11/2312.9/5, teilte das Amt mit.",
    ],
)
def test_a_period_glued_to_a_number_never_ends_a_sentence(texts, text):
    assert texts(text) == [text]


def test_a_year_glued_to_the_next_sentence_still_ends_one(texts):
    """A space lost in scraping ("2020.Die") is not an abbreviation glued to a number."""
    assert texts("Sie endete im Jahr 2020.Die Regierung trat zurück.") == [
        "Sie endete im Jahr 2020.",
        "Die Regierung trat zurück.",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Die Frist endet am 31.12. Merz kritisierte das.",
            ["Die Frist endet am 31.12.", "Merz kritisierte das."],
        ),
        (
            "Die Frist endete am 30.6. Ministerin Paus sagte, man prüfe das.",
            ["Die Frist endete am 30.6.", "Ministerin Paus sagte, man prüfe das."],
        ),
        (
            "Die Frist endet am 31.12. Die Regierung will verlängern.",
            ["Die Frist endet am 31.12.", "Die Regierung will verlängern."],
        ),
        (
            "Die Kundgebung war am 1.5. Tausende demonstrierten.",
            ["Die Kundgebung war am 1.5.", "Tausende demonstrierten."],
        ),
        # a date inside the sentence: a noun, an infinitive or a verb-final clause follows
        ("Er feiert am 31.12. Geburtstag.", ["Er feiert am 31.12. Geburtstag."]),
        ("Sie will am 1.5. Bilanz ziehen.", ["Sie will am 1.5. Bilanz ziehen."]),
        (
            "Der Mann, der am 31.12. Geburtstag hatte, kam nicht.",
            ["Der Mann, der am 31.12. Geburtstag hatte, kam nicht."],
        ),
        (
            "Weil Merz am 31.12. Urlaub machte, fiel die Sitzung aus.",
            ["Weil Merz am 31.12. Urlaub machte, fiel die Sitzung aus."],
        ),
        ("Die am 31.12. Verstorbene hatte Kinder.", ["Die am 31.12. Verstorbene hatte Kinder."]),
    ],
)
def test_split_after_a_date_only_where_a_new_sentence_starts(texts, text, expected):
    assert texts(text) == expected


def test_double_period_of_joined_snippets_ends_a_sentence(splitter):
    text = "Der Täter entkam.. Die Polizei sucht ihn.. Zeugen melden sich."
    sentences = splitter.split(text)
    assert [s.text for s in sentences] == [
        "Der Täter entkam..",
        "Die Polizei sucht ihn..",
        "Zeugen melden sich.",
    ]
    assert_offsets(text, sentences)


# Robustness


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Das sagte Patel auf einer Pressekonferenz . Dann ging er.",
            ["Das sagte Patel auf einer Pressekonferenz .", "Dann ging er."],
        ),
        (
            "„Wir müssen die Kosten dafür erhöhen [Russian President Vladimir] „Putin und "
            "seine Ermöglichung“, sagte Rutte. Dann ging er.",
            [
                "„Wir müssen die Kosten dafür erhöhen [Russian President Vladimir] „Putin und "
                "seine Ermöglichung“, sagte Rutte.",
                "Dann ging er.",
            ],
        ),
        ("„Das ist „gut“, sagte er. „Wirklich", ["„Das ist „gut“, sagte er.", "„Wirklich"]),
        ("Er sagte: „Das ist gut. Und dann?", ["Er sagte: „Das ist gut.", "Und dann?"]),
        ("Ohne Punkt am Ende", ["Ohne Punkt am Ende"]),
        ("\ufeffEr kam.\u200b Sie ging. ", ["Er kam.", "Sie ging."]),
        (
            "A\u0308rger gab es. O\u0308sterreich auch.",
            ["A\u0308rger gab es.", "O\u0308sterreich auch."],
        ),
        ("Er kam\u00a0. Sie\u00adging.", ["Er kam\u00a0.", "Sie\u00adging."]),
    ],
)
def test_odd_input(splitter, text, expected):
    sentences = splitter.split(text)
    assert [s.text for s in sentences] == expected
    assert_offsets(text, sentences)


def test_sentence_of_100000_characters(splitter):
    words = (
        "Die Regierung hat am 6. August beschlossen, dass 10.000 Soldaten, d. h. ca. 4,5 Prozent,"
    )
    body = " ".join([words] * 1200)[:99_999]
    text = f"Vorher.\n  {body.rstrip()}.  \nNachher."
    started = time.perf_counter()
    sentences = splitter.split(text)
    assert time.perf_counter() - started < 15
    assert [len(s.text) for s in sentences] == [7, len(body.rstrip()) + 1, 8]
    assert sentences[1].line == 2
    assert sentences[1].start == text.index("Die Regierung")
    assert_offsets(text, sentences)


def test_degenerate_line_is_bounded(splitter):
    text = "a." * 50_000  # SoMaJo is quadratic on such runs unless they are masked
    started = time.perf_counter()
    assert_offsets(text, splitter.split(text))
    assert time.perf_counter() - started < 15


def test_long_lines_split_in_pieces_as_a_whole(splitter, monkeypatch, corpus):
    text = " ".join(" ".join(s) for s in list(corpus.values())[:20])
    whole = splitter.split(text)
    monkeypatch.setattr(module, "_CHUNK", 400)
    monkeypatch.setattr(module, "_MARGIN", 120)
    assert splitter.split(text) == whole


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("aB .,!?„“\"'()[]…–\n\r\t09ÄßA\u0308\u00ad\u200b\ufeff\u00a0:")
        ),
        max_size=120,
    )
)
def test_offsets_invariant(splitter, text):
    sentences = splitter.split(text)
    assert_offsets(text, sentences)
    assert all("\n" not in s.text and "\r" not in s.text for s in sentences)


# Gold data


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[str]]:
    """Gold sentences per HaltungNews document, in id order."""
    documents: dict[str, dict[str, str]] = {}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        sentence_id = record["id"].rsplit("-", 1)[0]
        documents.setdefault(record["doc_id"], {}).setdefault(sentence_id, record["text"])
    return {doc: [s for _, s in sorted(ids.items())] for doc, ids in documents.items()}


def test_seed_article(splitter):
    records = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines()]
    gold = list(dict.fromkeys((r["line"], r["text"]) for r in records))
    text = SEED_TEXT.read_text(encoding="utf-8")
    sentences = splitter.split(text)
    assert len(gold) == 29
    assert [(s.line, s.text) for s in sentences] == gold
    assert_offsets(text, sentences)


def test_corpus_exact_match(splitter, corpus):
    """Measured: 99.27 % (one line per document), 99.95 % (headings on their own lines)."""
    found = {"one line": 0, "headings": 0}
    total = sum(map(len, corpus.values()))
    for sentences in corpus.values():
        one_line = " ".join(sentences)
        predicted = {s.text for s in splitter.split(one_line)}
        found["one line"] += sum(s in predicted for s in sentences)
        apart = article_text(sentences)
        if apart != one_line:
            predicted = {s.text for s in splitter.split(apart)}
        found["headings"] += sum(s in predicted for s in sentences)
    assert found["one line"] / total >= 0.99
    assert found["headings"] / total >= 0.997
