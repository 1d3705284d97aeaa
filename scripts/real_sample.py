"""Draw HaltungReal's documents and write annotation batches (outside the repository).

    python scripts/real_sample.py --source ../shared/data --out /tmp/haltung-real-work

Question time: answers with a question and 150-1,600 characters, at most four per sitting; half
drawn at random, half from answers with an evasion cue (so that *evasive* reaches its floor; the
stratum is kept with every record). News: GerNTSA snippets drawn at random (one document per
distinct snippet). Sentences come from haltung's own splitter, with exact offsets. The batches
hold source text and therefore never go into the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

from haltung.text.sentences import split_sentences

#: Phrases that often mark a withheld answer in question time (used only to draw a stratum).
EVASION_CUE = re.compile(
    r"vorgreifen|kann ich (?:Ihnen )?(?:heute |jetzt |hier |derzeit |noch )?(?:nichts|keine|nicht)"
    r"|keine Erkenntnisse|liegen (?:uns |der Bundesregierung |mir )?keine|nicht abgeschlossen"
    r"|schriftlich nach|nachreichen|zuständig|Zuständigkeit|Sache der|in der Hand der|kommentier"
    r"|Spekulation|zu gegebener Zeit|um Verständnis|nicht äußern|nicht beantworten|Geheim"
    r"|eingestuft|Gremi|laufende|bleibt (?:es )?(?:ihnen|den)|prüfen|geprüft|abwarten"
    r"|nicht beziffern|noch nicht entschieden|keine Angaben",
    re.IGNORECASE,
)


def sentences(text: str) -> list[dict]:
    return [{"start": s.start, "end": s.end, "text": s.text} for s in split_sentences(text)]


def sample_answers(path: Path, n_random: int, n_cue: int, rng: random.Random) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    ok = [r for r in rows if r["question"].strip() and 150 <= len(r["answer"]) <= 1600]
    rng.shuffle(ok)
    per_sitting: Counter = Counter()
    chosen: list[dict] = []

    def take(pool: list[dict], n: int, stratum: str) -> None:
        taken = 0
        for r in pool:
            if taken == n:
                break
            sitting = (r["term"], r["session"])
            if per_sitting[sitting] >= 4 or any(c["id"] == r["id"] for c in chosen):
                continue
            per_sitting[sitting] += 1
            chosen.append({**r, "stratum": stratum})
            taken += 1

    take([r for r in ok if EVASION_CUE.search(r["answer"])], n_cue, "cue")
    take(ok, n_random, "random")
    return chosen


def sample_snippets(path: Path, n: int, rng: random.Random) -> list[dict]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    first: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: r["id"]):
        first.setdefault(r["opinion_snippet"], r["id"])
    snippets = sorted((i, s) for s, i in first.items())
    return [{"id": i, "snippet": s} for i, s in rng.sample(snippets, n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--answers-random", type=int, default=140)
    parser.add_argument("--answers-cue", type=int, default=200)
    parser.add_argument("--snippets", type=int, default=750)
    parser.add_argument("--answer-batches", type=int, default=8)
    parser.add_argument("--snippet-batches", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    answers = sample_answers(
        args.source / "bundestag-fragestunde" / "fragestunde.jsonl",
        args.answers_random,
        args.answers_cue,
        rng,
    )
    rng.shuffle(answers)
    docs = []
    for r in answers:
        docs.append(
            {
                "doc": r["id"],
                "kind": "answer",
                "stratum": r["stratum"],
                "sitting": f"wp{r['term']}-{r['session']:03d}",
                "qa_type": r["qa_type"],
                "speaker": r["answer_speaker"],
                "role": r["answer_role"],
                "question_speaker": r["question_speaker"],
                "question_party": r["question_party"],
                "question": r["question"],
                "sentences": [
                    {"sid": f"{r['id']}:{k:02d}", **s}
                    for k, s in enumerate(sentences(r["answer"]), start=1)
                ],
            }
        )
    _write_batches(out, "bt", docs, args.answer_batches)

    snippets = sample_snippets(args.source / "gerntsa" / "GerNTSA.json", args.snippets, rng)
    docs = [
        {
            "doc": s["id"],
            "kind": "snippet",
            "sentences": [
                {"sid": f"{s['id']}:{k:02d}", **x}
                for k, x in enumerate(sentences(s["snippet"]), start=1)
            ],
        }
        for s in snippets
    ]
    _write_batches(out, "news", docs, args.snippet_batches)


def _write_batches(out: Path, prefix: str, docs: list[dict], n: int) -> None:
    for b in range(n):
        part = docs[b::n]
        path = out / f"{prefix}-{b + 1:02d}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for d in part:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
        print(path, len(part), "documents", sum(len(d["sentences"]) for d in part), "sentences")


if __name__ == "__main__":
    main()
