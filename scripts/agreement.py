"""Inter-annotator agreement between the first annotation and a blind second pass.

    python scripts/agreement.py FIRST.jsonl SECOND.jsonl [--disagreements OUT.jsonl]

FIRST holds records with `id` and `label` (e.g. the corpus), SECOND the second pass's
`id`/`label`. Prints Cohen's kappa overall and per label (that label against the rest), the
confusion between passes, and writes the disagreements for adjudication.
"""

from __future__ import annotations

import argparse
import json

import pandas as pd
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LABELS = ["supportive", "critical", "evasive", "none"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--disagreements")
    args = parser.parse_args()
    first = pd.read_json(args.first, lines=True, dtype=False)
    second = pd.read_json(args.second, lines=True, dtype=False)
    both = second.merge(first, on="id", suffixes=("_2", "_1"), validate="one_to_one")
    a, b = both["label_1"], both["label_2"]
    print(
        f"records: {len(both)}, documents: {both['doc_id'].nunique()}, "
        f"raw agreement: {(a == b).mean():.3f}, Cohen's kappa: {cohen_kappa_score(a, b):.3f}"
    )
    print("| label | first pass | second pass | kappa (label vs rest) |\n|---|---|---|---|")
    for label in LABELS:
        kappa = cohen_kappa_score(a == label, b == label)
        print(f"| {label} | {(a == label).sum()} | {(b == label).sum()} | {kappa:.3f} |")
    matrix = pd.DataFrame(confusion_matrix(a, b, labels=LABELS), index=LABELS, columns=LABELS)
    print("\nfirst pass (rows) x second pass (columns)\n" + matrix.to_string())
    if args.disagreements:
        columns = ["id", "doc_id", "text", "actor", "target", "label_1", "label_2", "note"]
        rows = both.loc[a != b, [c for c in columns if c in both]]
        with open(args.disagreements, "w", encoding="utf-8") as out:
            for record in rows.to_dict(orient="records"):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"\n{len(rows)} disagreements written to {args.disagreements}")


if __name__ == "__main__":
    main()
