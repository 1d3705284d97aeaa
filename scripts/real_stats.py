"""Markdown tables for the HaltungReal datasheet, from the built corpus.

haltung data build haltung-real && python scripts/real_stats.py data/haltung-real/build
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from corpus_stats import table  # the same Markdown table as HaltungNews' datasheet

LABELS = ["supportive", "critical", "evasive", "none"]


def shares(frame: pd.DataFrame, by: list[str], unit: str = "doc_id") -> pd.DataFrame:
    rows = []
    for key, part in frame.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts = part["label"].value_counts()
        cells = [f"{counts.get(lab, 0)} ({counts.get(lab, 0) / len(part):.1%})" for lab in LABELS]
        rows.append([*key, part[unit].nunique(), len(part), *cells])
    name = "answers" if unit == "source_id" else "documents"
    return pd.DataFrame(rows, columns=[*by, name, "records", *LABELS])


def main(folder: str) -> None:
    corpus = pd.concat(
        pd.read_json(p, lines=True, dtype=False).fillna("")
        for p in sorted(Path(folder).glob("*.jsonl"))
    )
    corpus["source"] = corpus["source"].replace({"bundestag-fragestunde": "question time"})
    print(f"records {len(corpus)}, documents {corpus['doc_id'].nunique()}")
    print("\n## By source and split\n")
    print(table(shares(corpus, ["source", "split"])))
    print("\n## By split\n")
    print(table(shares(corpus, ["split"])))
    answers = corpus[corpus["source"] == "question time"].copy()
    answers["term"] = answers["source_id"].str[:4]
    print("\n## Question time by stratum\n")
    print(table(shares(answers, ["stratum"], "source_id")))
    print("\n## Question time by term\n")
    print(table(shares(answers, ["term"], "source_id")))
    print(
        f"\nanswers {answers['source_id'].nunique()}, sittings {answers['doc_id'].nunique()}, "
        f"speakers {answers['actor'].nunique()}, "
        f"mean sentence length {answers['text'].str.len().mean():.0f} characters, "
        f"mean question length {answers['context'].str.len().mean():.0f} characters"
    )
    news = corpus[corpus["source"] == "gerntsa"]
    with_actor = news[news["actor"] != ""]
    print(
        f"news: snippets {news['source_id'].nunique()}, sentences "
        f"{news.drop_duplicates(['source_id', 'text']).shape[0]}, records with an actor "
        f"{len(with_actor)}, distinct actors {with_actor['actor'].nunique()}, sentences with "
        f"two or more actors {(news.groupby(['source_id', 'text']).size() > 1).sum()}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/haltung-real/build")
