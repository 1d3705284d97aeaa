"""Actor detection against the gold actors: precision, recall and F1, strict and lenient.

    .venv/bin/python benchmarks/actors.py [--errors dev] [--repeat 3]

Each document's unique sentences, in id order, go to ActorDetector.detect; a sentence's gold
actors are its records' non-empty actor strings (records labelled none included). Both sides are
compared per sentence after normalise_actor:
  strict   the normalised strings are equal;
  lenient  one contains the other, or they share the last token („rutte“ ~ „nato-… mark rutte“).
Predictions and gold actors are matched one to one. Reported for the corpus dev split (tuning),
the test split (report only) and the seed article, plus the detection time per document.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from haltung.text.actors import ActorDetector, normalise_actor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "haltung-news" / "haltung-news.jsonl"
SEED_ARTICLE = ROOT / "data" / "seed-article" / "seed-article.jsonl"


@dataclass
class Document:
    doc_id: str
    sentences: list[str]
    gold: list[list[str]]


@dataclass
class Counts:
    predicted: int = 0
    gold: int = 0
    strict: int = 0
    lenient: int = 0

    def add(self, other: Counts) -> None:
        self.predicted += other.predicted
        self.gold += other.gold
        self.strict += other.strict
        self.lenient += other.lenient

    def prf(self, matched: int) -> tuple[float, float, float]:
        precision = matched / self.predicted if self.predicted else 0.0
        recall = matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def load_documents(path: Path, split: str | None = None) -> list[Document]:
    """Documents of a corpus file (optionally one split): sentences in id order, gold actors."""
    sentences: dict[str, dict[int, str]] = defaultdict(dict)
    gold: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if split is not None and record.get("split") != split:
                continue
            doc, number, _ = record["id"].rsplit("-", 2)
            sentences[doc][int(number)] = record["text"]
            if record["actor"] and record["actor"] not in gold[doc][int(number)]:
                gold[doc][int(number)].append(record["actor"])
    return [
        Document(doc, [sents[k] for k in sorted(sents)], [gold[doc][k] for k in sorted(sents)])
        for doc, sents in sorted(sentences.items())
    ]


def lenient_match(a: str, b: str) -> bool:
    """Normalised strings where one contains the other or both end in the same token."""
    return a in b or b in a or a.split()[-1] == b.split()[-1]


def _matches(predicted: list[str], gold: list[str], same: Callable[[str, str], bool]) -> int:
    """Size of a greedy one-to-one matching."""
    free = list(gold)
    hits = 0
    for p in predicted:
        for g in free:
            if same(p, g):
                free.remove(g)
                hits += 1
                break
    return hits


def score_sentence(predicted: Sequence[str], gold: Sequence[str]) -> Counts:
    pred = list(dict.fromkeys(filter(None, map(normalise_actor, predicted))))
    gold_ = list(dict.fromkeys(filter(None, map(normalise_actor, gold))))
    return Counts(
        len(pred),
        len(gold_),
        _matches(pred, gold_, str.__eq__),
        _matches(pred, gold_, lenient_match),
    )


def evaluate(
    detector: ActorDetector, documents: list[Document]
) -> tuple[Counts, float, list[tuple]]:
    """Counts over all sentences, seconds per document and the wrong sentences."""
    total, errors, elapsed = Counts(), [], 0.0
    for doc in documents:
        started = time.perf_counter()
        predicted = detector.detect(doc.sentences)
        elapsed += time.perf_counter() - started
        for k, (text, pred, gold) in enumerate(
            zip(doc.sentences, predicted, doc.gold, strict=True)
        ):
            counts = score_sentence(pred, gold)
            total.add(counts)
            if counts.lenient < max(counts.predicted, counts.gold):
                errors.append((doc.doc_id, k + 1, text, pred, gold))
    return total, elapsed / max(len(documents), 1), errors


def _row(name: str, counts: Counts, seconds: float) -> str:
    strict = " | ".join(f"{v:.3f}" for v in counts.prf(counts.strict))
    lenient = " | ".join(f"{v:.3f}" for v in counts.prf(counts.lenient))
    return f"| {name} | {strict} | {lenient} | {counts.gold} | {seconds * 1000:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev", "test", "train", "seed"], default=None)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (best is shown)")
    args = parser.parse_args()

    detector = ActorDetector()
    sets = {
        "dev": load_documents(CORPUS, "dev"),
        "test": load_documents(CORPUS, "test"),
        "seed": load_documents(SEED_ARTICLE),
        "train": load_documents(CORPUS, "train"),
    }
    print("| set | strict P | R | F1 | lenient P | R | F1 | gold actors | ms/doc |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("dev", "test", "seed"):
        best = None
        for _ in range(max(args.repeat, 1)):
            counts, seconds, _ = evaluate(detector, sets[name])
            best = seconds if best is None else min(best, seconds)
        print(_row(name, counts, best))
    if args.errors:
        _, _, errors = evaluate(detector, sets[args.errors])
        for doc, number, text, pred, gold in errors:
            print(f"\n{doc}-{number:03d} {text}\n    predicted {pred}\n    gold      {gold}")


if __name__ == "__main__":
    main()
