"""Turn HaltungReal's annotation work into the shipped stand-off files.

    python scripts/real_standoff.py --work /tmp/haltung-real-work --source ../shared/data

`--work` holds what `scripts/real_sample.py` wrote (batches/, strata.json), the annotators'
label files (pass1/*.labels.jsonl, pass2/*.labels.jsonl) and the consistency review against
guidelines section 10.5 (review/*.changes.jsonl); it stays outside the repository because the
batches hold source text. This script applies the adjudication
(`data/haltung-real/agreement/adjudication.jsonl`), then the review, to the first pass, checks
every sentence against the sources, assigns document-grouped splits and writes, without any
source text:

    data/haltung-real/annotations.jsonl          the corpus (ids, offsets, hashes, labels)
    data/haltung-real/review-10.5.jsonl          the labels the review changed, with the rule
    data/haltung-real/agreement/pass1_labels.jsonl, pass2_labels.jsonl   the double-annotated sample
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from haltung.data.sources import FRAGESTUNDE, GERNTSA, READERS, source_file
from haltung.data.splits import make_splits
from haltung.data.standoff import sentence_hash

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "haltung-real"
KEEP = ("sid", "actor", "label", "target")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--dev-size", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    batches = sorted((args.work / "batches").glob("*.jsonl"))
    docs = {d["doc"]: d for f in batches for d in read_jsonl(f)}
    sentences = {s["sid"]: (d, s) for d in docs.values() for s in d["sentences"]}
    strata = json.loads((args.work / "strata.json").read_text("utf-8"))
    first = [r for f in sorted((args.work / "pass1").glob("*.jsonl")) for r in read_jsonl(f)]
    second = [r for f in sorted((args.work / "pass2").glob("*.jsonl")) for r in read_jsonl(f)]
    adjudicated = {
        (a["sid"], a["actor"]): a["final"]
        for a in read_jsonl(OUT / "agreement" / "adjudication.jsonl")
    }
    review = sorted(
        (r for f in sorted((args.work / "review").glob("*.changes.jsonl")) for r in read_jsonl(f)),
        key=lambda r: (r["sid"], r["actor"]),
    )
    reviewed = {(r["sid"], r["actor"]): r["new"] for r in review}
    with (OUT / "review-10.5.jsonl").open("w", encoding="utf-8") as f:
        for r in review:
            kept = {k: r[k] for k in ("sid", "actor", "old", "new", "rule")}
            f.write(json.dumps(kept, ensure_ascii=False) + "\n")
    sources = {
        name: READERS[name][0](source_file(args.source, name)) for name in (FRAGESTUNDE, GERNTSA)
    }

    records = []
    for r in first:
        doc, sentence = sentences[r["sid"]]
        answer = doc["kind"] == "answer"
        source = FRAGESTUNDE if answer else GERNTSA
        field = READERS[source][1]
        text = sources[source][doc["doc"]][field][sentence["start"] : sentence["end"]]
        assert text == sentence["text"], r["sid"]
        label = adjudicated.get((r["sid"], r["actor"]), r["label"])
        label = reviewed.get((r["sid"], r["actor"]), label)
        number = int(r["sid"].rsplit(":", 1)[1])
        prefix = "fq" if answer else "gn"
        records.append(
            {
                "source": source,
                "source_id": doc["doc"],
                "sentence": number,
                "start": sentence["start"],
                "end": sentence["end"],
                "sha256": sentence_hash(text),
                "doc_id": f"{prefix}-{doc['sitting']}" if answer else f"{prefix}-{doc['doc']}",
                "actor": r["actor"],
                "target": r.get("target") or "" if label != "none" else "",
                "label": label,
                "stratum": strata.get(doc["doc"], "random"),
                "prefix": prefix,
                "_text": text,
            }
        )
    frame = pd.DataFrame(records)
    frame["k"] = frame.groupby(["source_id", "sentence"]).cumcount() + 1
    frame["id"] = [f"{r.prefix}-{r.source_id}-{r.sentence:02d}-{r.k}" for r in frame.itertuples()]
    frame["doc_id"] = _merge_shared_sentences(frame)
    frame["split"] = ""
    for _, part in frame.groupby("source"):  # each source split on its own
        fold = make_splits(
            part.reset_index(drop=True), "grouped", args.test_size, args.dev_size, args.seed
        )
        index = part.index.to_numpy()
        for name in ("train", "dev", "test"):
            frame.loc[index[getattr(fold, name)], "split"] = name
    columns = ["id", "source", "source_id", "start", "end", "sha256", "doc_id", "split"]
    columns += ["actor", "target", "label", "stratum"]
    frame = frame.sort_values(["source", "doc_id", "source_id", "sentence", "k"])
    with (OUT / "annotations.jsonl").open("w", encoding="utf-8") as f:
        for row in frame[columns].to_dict("records"):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    sample = {r["sid"] for r in second}
    for name, rows in (("pass1", first), ("pass2", second)):
        with (OUT / "agreement" / f"{name}_labels.jsonl").open("w", encoding="utf-8") as f:
            for r in rows:
                if r["sid"] in sample:
                    f.write(json.dumps({k: r.get(k, "") for k in KEEP}, ensure_ascii=False) + "\n")
    print(frame.groupby(["source", "split"])["label"].value_counts().unstack(fill_value=0))
    print(frame.groupby("split")["doc_id"].nunique(), len(frame))


def _merge_shared_sentences(frame: pd.DataFrame) -> pd.Series:
    """Documents that share a sentence of 40 characters or more (snippets cut from one article)
    become one document, so that no such sentence is in two splits."""
    parent = {d: d for d in frame["doc_id"]}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    long = frame[frame["_text"].str.len() >= 40]
    for _, docs in long.groupby("_text")["doc_id"]:
        roots = sorted({find(d) for d in docs})
        for other in roots[1:]:
            parent[other] = roots[0]
    merged = frame["doc_id"].map(find)
    changed = frame.loc[merged != frame["doc_id"], "doc_id"].nunique()
    print("documents merged into another because they share a sentence:", changed)
    return merged


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
