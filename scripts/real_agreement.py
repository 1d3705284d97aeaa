"""Agreement between two annotation passes of HaltungReal: kappa overall, per class, per source.

    python scripts/real_agreement.py data/haltung-real/agreement/pass1_labels.jsonl \
        data/haltung-real/agreement/pass2_labels.jsonl [--markdown]

Each file has one record per line: `sid` (`<source id>:<sentence>`), `actor`, `label`. Answers
have one record per sentence (the actor is the answering member). News snippets may have
several or none with an actor; both passes found their actors independently, so the records
are paired per sentence by actor (normalised strings, one containing the other), and an actor
that only one pass lists counts as `none` in the other: actor detection disagreements count
against the agreement.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, confusion_matrix

LABELS = ["supportive", "critical", "evasive", "none"]
_ARTICLE = re.compile(r"^(der|die|das|den|dem|des|ein|eine|einer|eines|einem|einen)\s+")


def source_of(sid: str) -> str:
    return "fragestunde" if sid.startswith("wp") else "news"


def norm(actor: str) -> list[str]:
    text = _ARTICLE.sub("", actor.lower().strip())
    return [t[:5] for t in re.findall(r"\w+", text)]


def same_actor(a: str, b: str) -> bool:
    ta, tb = norm(a), norm(b)
    if not ta or not tb:
        return not ta and not tb
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return all(t in long for t in short)


def read(path: Path) -> dict[str, list[dict]]:
    by_sentence: dict[str, list[dict]] = defaultdict(list)
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            by_sentence[record["sid"]].append(record)
    return by_sentence


def pairs(first: dict[str, list[dict]], second: dict[str, list[dict]]) -> list[dict]:
    """One pair of labels per (sentence, actor) in the union of both passes."""
    out = []
    for sid in sorted(set(first) & set(second)):
        left = [r for r in first[sid] if r["actor"] or r["label"] != "none"]
        right = [r for r in second[sid] if r["actor"] or r["label"] != "none"]
        unmatched = list(right)
        for r in left:
            match = next((x for x in unmatched if same_actor(r["actor"], x["actor"])), None)
            if match is not None:
                unmatched.remove(match)
            label2 = match["label"] if match else "none"
            out.append(_pair(sid, r["actor"], r["label"], label2, match is not None))
        for x in unmatched:
            out.append(_pair(sid, x["actor"], "none", x["label"], False))
        if not left and not right:
            out.append(_pair(sid, "", "none", "none", True))
    return out


def _pair(sid: str, actor: str, a: str, b: str, matched: bool) -> dict:
    return {"sid": sid, "source": source_of(sid), "actor": actor, "a": a, "b": b, "m": matched}


def kappa_table(rows: list[dict]) -> dict:
    a, b = [r["a"] for r in rows], [r["b"] for r in rows]
    result = {
        "n": len(rows),
        "raw": sum(x == y for x, y in zip(a, b, strict=True)) / len(rows),
        "kappa": cohen_kappa_score(a, b, labels=LABELS),
        "per_class": {},
        "counts": {lab: (a.count(lab), b.count(lab)) for lab in LABELS},
        "confusion": confusion_matrix(a, b, labels=LABELS).tolist(),
    }
    for label in LABELS:
        ya, yb = [x == label for x in a], [x == label for x in b]
        result["per_class"][label] = (
            cohen_kappa_score(ya, yb) if any(ya) or any(yb) else float("nan")
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    rows = pairs(read(args.first), read(args.second))
    groups = {
        "all": rows,
        "fragestunde": [r for r in rows if r["source"] == "fragestunde"],
        "news": [r for r in rows if r["source"] == "news"],
        "news, records with an actor": [r for r in rows if r["source"] == "news" and r["actor"]],
    }
    tables = {name: kappa_table(part) for name, part in groups.items() if part}
    if not args.markdown:
        print(json.dumps(tables, indent=2))
        return
    print("| part | pairs | raw | kappa | " + " | ".join(f"κ {x}" for x in LABELS) + " |")
    print("|---|---|---|---|" + "---|" * len(LABELS))
    for name, t in tables.items():
        per = " | ".join(f"{t['per_class'][x]:.3f}" for x in LABELS)
        print(f"| {name} | {t['n']} | {t['raw']:.3f} | {t['kappa']:.3f} | {per} |")
    for name, t in tables.items():
        print(f"\n{name}: first pass (rows) against second pass (columns)\n")
        print("|  | " + " | ".join(LABELS) + " |")
        print("|---|" + "---|" * len(LABELS))
        for label, row in zip(LABELS, t["confusion"], strict=True):
            print(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    news = groups["news"]
    if news:
        unmatched = sum(not r["m"] for r in news)
        print(f"\nnews: {unmatched} of {len(news)} actor records were found by one pass only")


if __name__ == "__main__":
    main()
