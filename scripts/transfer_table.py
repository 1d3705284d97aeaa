"""The transfer table of a sweep: F_stance (95% CI) of each group on each corpus's test split,
marked where the best group is significantly better (paired bootstrap).

    haltung-train -m experiment=transfer
    python scripts/transfer_table.py [PARENT_RUN_ID ...]    # default: the latest sweep parent

With several parent ids (e.g. the baselines' sweep and a me5 sweep), their comparisons are shown
together; significance is tested within each sweep.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from mlflow import MlflowClient

from haltung.tracking.store import resolve_store

COLUMNS = {
    "haltung_news_f_stance": "HaltungNews",
    "haltung_real_f_stance": "HaltungReal",
    "haltung_real_fragestunde_f_stance": "question time",
    "haltung_real_news_f_stance": "real news",
    "seed_article_f_stance": "seed article",
}


def latest_parent(client: MlflowClient, experiment: str) -> str:
    exp = client.get_experiment_by_name(experiment)
    runs = client.search_runs(
        [exp.experiment_id], "tags.`haltung.sweep` != ''", order_by=["start_time DESC"]
    )
    return runs[0].info.run_id


def comparison(client: MlflowClient, parent: str, tmp: Path) -> pd.DataFrame:
    path = client.download_artifacts(parent, "sweep_comparison.csv", str(tmp))
    return pd.read_csv(path)


def cell(row: pd.Series) -> str:
    text = f"{row['score']:.3f} ({row['ci_low']:.3f}–{row['ci_high']:.3f})"
    if row["best"]:
        return f"**{text}**"
    stars = "*" if row["p_value"] < 0.05 else ""
    return text + stars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parents", nargs="*")
    parser.add_argument("--tracking-uri", help="default: the project's store (resolve_store)")
    parser.add_argument("--experiment", default="haltung-stance")
    args = parser.parse_args()
    client = MlflowClient(resolve_store(uri=args.tracking_uri).uri)
    parents = args.parents or [latest_parent(client, args.experiment)]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        table = pd.concat([comparison(client, p, Path(tmp)) for p in parents])
    table = table[table["metric"].isin(COLUMNS)]
    wide = table.assign(cell=table.apply(cell, axis=1)).pivot(
        index="group", columns="metric", values="cell"
    )
    wide = wide[[c for c in COLUMNS if c in wide.columns]].rename(columns=COLUMNS)
    print("| train on / model | " + " | ".join(wide.columns) + " |")
    print("|---|" + "---|" * len(wide.columns))
    for group, row in wide.iterrows():
        print(f"| {group} | " + " | ".join(str(v) for v in row) + " |")
    print(
        "\nF_stance (95% bootstrap CI) on each test split. Bold: the best group in its sweep; "
        "*: the best is better with p < 0.05 (paired bootstrap, 10,000 resamples)."
    )


if __name__ == "__main__":
    main()
