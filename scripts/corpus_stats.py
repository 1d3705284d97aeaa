"""Markdown tables for the HaltungNews datasheet: sizes and label, domain, topic, actor shares.

python scripts/corpus_stats.py data/haltung-news/haltung-news.jsonl
"""

from __future__ import annotations

import re
import sys
from collections import Counter

import pandas as pd

LABELS = ["supportive", "critical", "evasive", "none"]


def table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def main(path: str) -> None:
    corpus = pd.read_json(path, lines=True, dtype=False).fillna("")
    sentences = corpus.drop_duplicates(["doc_id", "text"])
    docs = corpus.drop_duplicates("doc_id")
    print(
        f"records {len(corpus)}, sentences {len(sentences)}, documents {len(docs)}, "
        f"topics {corpus['topic'].nunique()}, domains {corpus['domain'].nunique()}, "
        f"distinct actors {corpus.loc[corpus['actor'] != '', 'actor'].nunique()}"
    )
    per_doc = sentences.groupby("doc_id").size()
    words = sentences["text"].str.split().str.len()
    print(
        f"sentences per document: mean {per_doc.mean():.1f}, min {per_doc.min()}, "
        f"max {per_doc.max()}; words per sentence: mean {words.mean():.1f}, "
        f"median {words.median():.0f}, max {words.max()}\n"
    )

    rows = []
    for split in ["train", "dev", "test", "all"]:
        part = corpus if split == "all" else corpus[corpus["split"] == split]
        counts = part["label"].value_counts()
        rows.append(
            [
                split,
                part["doc_id"].nunique(),
                len(part),
                *[
                    f"{counts.get(label, 0)} ({counts.get(label, 0) / len(part):.1%})"
                    for label in LABELS
                ],
            ]
        )
    print(table(pd.DataFrame(rows, columns=["split", "documents", "records", *LABELS])), "\n")

    domains = docs["domain"].value_counts()
    labels_by_domain = (
        corpus.groupby("domain")["label"].value_counts(normalize=True).unstack().fillna(0)
    )
    rows = [
        [d, n, *[f"{labels_by_domain.loc[d, label]:.0%}" for label in LABELS]]
        for d, n in domains.items()
    ]
    print(table(pd.DataFrame(rows, columns=["domain", "documents", *LABELS])), "\n")

    actor_types = corpus.loc[corpus["actor_type"] != "", "actor_type"].value_counts()
    print(
        table(pd.DataFrame({"actor type": actor_types.index, "records": actor_types.to_numpy()})),
        "\n",
    )

    print("Most frequent word trigram per stance label (share of the label's records):")
    for label in LABELS[:3]:
        texts = corpus.loc[corpus["label"] == label, "text"]
        counts = Counter()
        for text in texts:
            w = re.findall(r"\w+", text.lower())
            counts.update({" ".join(w[i : i + 3]) for i in range(len(w) - 2)})
        top = ", ".join(f"„{p}“ {n / len(texts):.1%}" for p, n in counts.most_common(3))
        print(f"- {label}: {top}")


if __name__ == "__main__":
    main(sys.argv[1])
