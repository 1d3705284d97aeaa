"""Sentence splitting against gold segmentations: exact matches, counts and speed.

    .venv/bin/python benchmarks/sentences.py [--errors N]

Seed article: seeds/000_4d560e9d65afaa3b.txt against data/seed-article (29 sentences, with
line numbers). Corpus: the 440 documents of data/haltung-news, each rebuilt from its gold
sentences in two variants, "one line" (all sentences joined by single spaces) and "headings"
(sentences without final punctuation on lines of their own). A gold sentence counts as found
when a predicted sentence of its document has exactly its text. Last, the time to split one
sentence of 100,000 characters.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from haltung.evaluation.pipeline import article_text
from haltung.text.sentences import SentenceSplitter

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"
SEED_GOLD = ROOT / "data" / "seed-article" / "seed-article.jsonl"
CORPUS = ROOT / "data" / "haltung-news" / "haltung-news.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def seed_gold() -> list[tuple[int, str]]:
    """Unique (line, text) pairs of the seed article, in order."""
    pairs = [(r["line"], r["text"]) for r in read_jsonl(SEED_GOLD)]
    return list(dict.fromkeys(pairs))


def corpus_gold() -> dict[str, list[str]]:
    """Gold sentences per document, in id order."""
    sentences: dict[str, dict[str, str]] = {}
    for record in read_jsonl(CORPUS):
        sentence_id = record["id"].rsplit("-", 1)[0]
        sentences.setdefault(record["doc_id"], {}).setdefault(sentence_id, record["text"])
    return {doc: [s for _, s in sorted(ids.items())] for doc, ids in sentences.items()}


def one_line(sentences: list[str]) -> str:
    return " ".join(sentences)


headings_apart = article_text  # headings on their own lines, as in real articles


def evaluate(
    splitter: SentenceSplitter,
    gold: dict[str, list[str]],
    build: Callable[[list[str]], str],
    errors: int = 0,
) -> dict[str, float]:
    """Exact-match rate, sentence counts and seconds per document for one variant."""
    found = total = predicted = 0
    seconds = 0.0
    shown = 0
    for doc, sentences in gold.items():
        text = build(sentences)
        started = time.perf_counter()
        predictions = splitter.split(text)
        seconds += time.perf_counter() - started
        texts = {s.text for s in predictions}
        missed = [s for s in sentences if s not in texts]
        found += len(sentences) - len(missed)
        total += len(sentences)
        predicted += len(predictions)
        if missed and shown < errors:
            shown += 1
            print(f"--- {doc}: missed {len(missed)}")
            for s in predictions:
                print(("   " if s.text in sentences else " ! ") + s.text)
    return {
        "exact": found / total,
        "found": found,
        "gold": total,
        "predicted": predicted,
        "ms_per_doc": 1000 * seconds / len(gold),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print N documents with misses")
    args = parser.parse_args()

    started = time.perf_counter()
    splitter = SentenceSplitter()
    print(f"SentenceSplitter(): {time.perf_counter() - started:.2f} s")

    gold = seed_gold()
    predicted = splitter.split(SEED_TEXT.read_text(encoding="utf-8"))
    pairs = {(s.line, s.text) for s in predicted}
    exact = sum(pair in pairs for pair in gold)
    print(f"seed article: {exact}/{len(gold)} exact (line and text), {len(predicted)} predicted")

    corpus = corpus_gold()
    print(f"corpus: {len(corpus)} documents, {sum(map(len, corpus.values()))} gold sentences")
    print("| variant | exact match | found / gold | predicted | ms per document |")
    print("|---|---|---|---|---|")
    for name, build in [("one line", one_line), ("headings", headings_apart)]:
        r = evaluate(splitter, corpus, build, args.errors)
        print(
            f"| {name} | {r['exact']:.2%} | {r['found']} / {r['gold']} | {r['predicted']} "
            f"| {r['ms_per_doc']:.1f} |"
        )

    sentence = " ".join(corpus["hn0101"][0].rstrip(".").split() * 4000)[:99_999] + "."
    started = time.perf_counter()
    count = len(splitter.split(sentence))
    print(f"one sentence of {len(sentence):,} characters: {time.perf_counter() - started:.2f} s")
    assert count == 1


if __name__ == "__main__":
    main()
