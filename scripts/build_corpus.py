"""Assemble HaltungNews from annotated batches: check, split by document, write one file.

    python scripts/build_corpus.py data/haltung-news/parts/*.jsonl \
        --out data/haltung-news/haltung-news.jsonl --seed 13

Splits are about 70/10/20 by document (train/dev/test), stratified by label
(StratifiedGroupKFold). Near-duplicate sentences across splits (character 5-gram Jaccard
>= 0.8 on normalised text) are reported; the build fails while any remain.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from haltung.data import make_splits
from haltung.data.quality import near_duplicates

COLUMNS = [
    "id",
    "doc_id",
    "split",
    "text",
    "actor",
    "target",
    "label",
    "topic",
    "domain",
    "actor_type",
]


def load_parts(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_json(p, lines=True, dtype=False) for p in paths]
    frame = pd.concat(frames, ignore_index=True).fillna("")
    if frame["id"].duplicated().any():
        sys.exit(f"duplicate ids: {frame.loc[frame['id'].duplicated(), 'id'].tolist()[:10]}")
    return frame


def cross_split_duplicates(frame: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(id in one split, id in another, similarity) for near-duplicate sentences."""
    found = []
    sentences = frame.drop_duplicates(["doc_id", "text"])
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        left, right = sentences[sentences["split"] == a], sentences[sentences["split"] == b]
        for i, j, sim in near_duplicates(left["text"].tolist(), right["text"].tolist()):
            found.append((left["id"].iloc[i], right["id"].iloc[j], sim))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    frame = load_parts(args.parts)
    frame["split"] = ""
    fold = make_splits(frame, "grouped", test_size=0.2, dev_size=0.1, seed=args.seed)
    for name, rows in (("train", fold.train), ("dev", fold.dev), ("test", fold.test)):
        frame.loc[frame.index[rows], "split"] = name
    duplicates = cross_split_duplicates(frame)
    for left, right, sim in duplicates:
        print(f"near-duplicate across splits: {left} ~ {right} ({sim:.2f})", file=sys.stderr)
    if duplicates:
        sys.exit(f"{len(duplicates)} near-duplicate pairs across splits; rewrite or move them.")
    frame = frame[COLUMNS].sort_values(["doc_id", "id"]).reset_index(drop=True)
    with args.out.open("w", encoding="utf-8") as out:
        for record in frame.to_dict(orient="records"):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary = frame.groupby("split").agg(records=("id", "size"), documents=("doc_id", "nunique"))
    print(summary.to_string())
    print(frame.groupby(["split", "label"]).size().unstack().to_string())


if __name__ == "__main__":
    main()
