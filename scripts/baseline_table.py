"""The baseline table of a sweep, from MLflow: per model mean ± sd over seeds.

    python scripts/baseline_table.py [--parent RUN_ID] [--experiment haltung-stance]

Without --parent, the newest sweep (parent run) of the experiment is used. Prints a Markdown
table: test F_stance (mean ± sd, mean 95% bootstrap interval), macro-F1, per-class F1, and
F_stance on the seed article.
"""

from __future__ import annotations

import argparse

import pandas as pd
from mlflow import MlflowClient

from haltung.tracking.store import resolve_store

LABELS = ["supportive", "critical", "evasive", "none"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parent")
    parser.add_argument("--experiment", default="haltung-stance")
    args = parser.parse_args()
    client = MlflowClient(resolve_store().uri)
    experiment = client.get_experiment_by_name(args.experiment)
    parent = (
        args.parent
        or client.search_runs(
            [experiment.experiment_id],
            filter_string="tags.`haltung.sweep` != ''",
            order_by=["start_time DESC"],
            max_results=1,
        )[0].info.run_id
    )
    children = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent}' and attributes.status = 'FINISHED'",
        max_results=1000,
    )
    rows = [{"model": r.data.tags["model"], **r.data.metrics} for r in children]
    frame = pd.DataFrame(rows)

    def ms(series: pd.Series) -> str:
        return f"{series.mean():.3f} ± {series.std(ddof=1) if len(series) > 1 else 0:.3f}"

    print(f"sweep {parent}: {len(children)} runs\n")
    head = [
        "model",
        "seeds",
        "test F_stance",
        "95% CI",
        "macro-F1",
        *[f"F1 {x}" for x in LABELS],
        "seed article F_stance",
    ]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    order = frame.groupby("model")["test_f_stance"].mean().sort_values(ascending=False).index
    for model in order:
        g = frame[frame["model"] == model]
        ci = f"{g['test_f_stance_ci_low'].mean():.3f}–{g['test_f_stance_ci_high'].mean():.3f}"
        cells = [
            model,
            str(len(g)),
            ms(g["test_f_stance"]),
            ci,
            ms(g["test_macro_f1"]),
            *[f"{g[f'test_f1_{x}'].mean():.3f}" for x in LABELS],
            ms(g["seed_article_f_stance"]) if "seed_article_f_stance" in g else "–",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
