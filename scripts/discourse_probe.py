"""Probe: does the discourse of a government answer help frozen me5-small embeddings?

Trains a logistic regression on HaltungReal's train split with growing feature sets (the
sentence with its actor; + the whole answer; + the question; + position in the answer) and
prints F_stance on the test split, overall, for question time and news, plus evasive F1 on
question time. Needs the built corpus (`haltung data build haltung-real`) and me5-small.

    python scripts/discourse_probe.py
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from haltung.models.embeddings import SentenceEmbedder

BUILD = Path(__file__).resolve().parents[1] / "data" / "haltung-real" / "build"
STANCES = ["supportive", "critical", "evasive"]


def main() -> None:
    rows = [
        json.loads(line)
        for name in ("fragestunde", "gerntsa")
        for line in (BUILD / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    embed = SentenceEmbedder(prefix="query: ")
    sentences = embed.transform([f"{r['actor']}: {r['text']}" for r in rows])

    members = collections.defaultdict(list)
    for i, r in enumerate(rows):
        members[r["source_id"]].append(i)
    docs = sorted(members)
    answer_text = [" ".join(dict.fromkeys(rows[i]["text"] for i in members[d])) for d in docs]
    answers = dict(zip(docs, embed.transform(answer_text), strict=True))
    asked = {r["source_id"]: r["context"] for r in rows if r.get("context")}
    questions = dict(
        zip(sorted(asked), embed.transform([asked[d] for d in sorted(asked)]), strict=True)
    )
    blank = np.zeros(sentences.shape[1], dtype=np.float32)

    answer = np.stack([answers[r["source_id"]] for r in rows])
    question = np.stack([questions.get(r["source_id"], blank) for r in rows])
    position = np.array(
        [
            [members[r["source_id"]].index(i) / max(1, len(members[r["source_id"]]) - 1)]
            for i, r in enumerate(rows)
        ]
    )
    y = np.array([r["label"] for r in rows])
    split = np.array([r["split"] for r in rows])
    fq = np.array([r["source"] == "bundestag-fragestunde" for r in rows])

    features = {
        "sentence": sentences,
        "+ answer": np.hstack([sentences, answer]),
        "+ answer + question": np.hstack([sentences, answer, question]),
        "+ answer + question + position": np.hstack([sentences, answer, question, position]),
    }
    train, test = split == "train", split == "test"
    yt, ft = y[test], fq[test]
    print("| features | C | HaltungReal | question time | real news | evasive F1 (question time) |")
    print("|---|---|---|---|---|---|")
    for name, X in features.items():
        for C in (1.0, 4.0):
            model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
            p = model.fit(X[train], y[train]).predict(X[test])
            scores = [
                f1_score(yt, p, labels=STANCES, average="macro"),
                f1_score(yt[ft], p[ft], labels=STANCES, average="macro"),
                f1_score(yt[~ft], p[~ft], labels=STANCES, average="macro"),
                f1_score(yt[ft], p[ft], labels=["evasive"], average="macro"),
            ]
            print(f"| {name} | {C:g} | " + " | ".join(f"{s:.3f}" for s in scores) + " |")


if __name__ == "__main__":
    main()
