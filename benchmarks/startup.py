"""Cold start of `haltung analyze|predict` with a model folder and with a model URI (issue #12).

    flock /tmp/haltung-bench.lock .venv/bin/python benchmarks/startup.py [--repeat 5]
        [--folder <model folder> --uri runs:/<run_id>/model --tracking-uri <store>]

Without --folder/--uri, tfidf_logreg is trained on the test fixture into a temporary store
(`haltung-train data=fixture`, about 15 s), named by $MLFLOW_TRACKING_URI: found by composing
the config, as the README's default store is (`--tracking-uri` skips that). Every timing is
the wall time of a fresh process, median (and best) of --repeat, the commands taking turns:
`python -c "import sklearn.linear_model, pandas"` (the floor every command pays), `haltung
analyze <seed article> --model <folder>`, the same with `--model <URI>` with the model cache
emptied before each call (first call: MLflow resolves and downloads) and with it filled
(second call), and `haltung predict` of one sentence with the folder and the cached URI.
Ratios are against the imports. The cache is a temporary $HALTUNG_CACHE. Then `-X importtime`
of the folder and cached-URI analyze: the modules they import beyond the floor, by top-level
package, and whether the cached call imported MLflow.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from machine import cpu_line  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"
BIN = Path(sys.executable).parent
FLOOR = "import sklearn.linear_model, pandas"


def train_fixture(folder: Path) -> tuple[Path, str, str]:
    """tfidf_logreg on the fixture, logged to a store in `folder`: (model folder, URI, store)."""
    done = subprocess.run(
        [
            str(BIN / "haltung-train"),
            f"paths.experiments_dir={folder}",
            "tracking.experiment_name=startup",
            "data=fixture",
            "evaluation.bootstrap_samples=20",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    if done.returncode != 0:
        sys.exit(f"training failed:\n{done.stderr[-2000:]}")
    uri = re.search(r"model URI:\s+(\S+)", done.stdout).group(1)
    model = re.search(r"model folder:\s+(\S+)", done.stdout).group(1)
    return Path(model), uri, f"sqlite:///{folder / 'mlflow.db'}"


def _env(cache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONWARNINGS"] = "ignore"
    if cache is not None:
        env["HALTUNG_CACHE"] = str(cache)
    return env


def wall(command: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    """Seconds from start to exit of one fresh process; a failure stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return seconds


def import_profile(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Self import time (ms) of each module one run of `command` imports (-X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        input="Gut so.\n",
    )
    found = re.findall(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", done.stderr)
    return {module: int(us) / 1000 for us, module in found}


def beyond(run: dict[str, float], floor: dict[str, float]) -> dict[str, float]:
    """Self import time (ms) by top-level package of the modules `run` imports and `floor`
    does not."""
    totals: dict[str, float] = defaultdict(float)
    for module, ms in run.items():
        if module not in floor:
            totals[module.split(".")[0]] += ms
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="a model folder")
    parser.add_argument("--uri", help="the same model's URI (runs:/… or models:/…)")
    parser.add_argument("--tracking-uri", help="the store of --uri")
    parser.add_argument("--top", type=int, default=12, help="packages listed from importtime")
    args = parser.parse_args()
    print(cpu_line())
    with tempfile.TemporaryDirectory(prefix="haltung-startup-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        env = _env(cache)
        if args.folder and args.uri:
            folder, uri, store = args.folder, args.uri, args.tracking_uri
        else:  # the store as the README's default: found through the config, not a flag
            folder, uri, trained = train_fixture(tmp / "experiments")
            store, env["MLFLOW_TRACKING_URI"] = None, trained
        store_flag = ["--tracking-uri", store] if store else []
        analyze = [str(BIN / "haltung"), "analyze", str(SEED), "--format", "csv", "--model"]
        predict = [str(BIN / "haltung"), "predict", "--format", "jsonl", "--model"]
        sentence = "„Dazu äußern wir uns nicht“, sagte ein Sprecher.\n"
        commands = {
            "imports (floor)": ([sys.executable, "-c", FLOOR], None, False),
            "analyze --model FOLDER": ([*analyze, str(folder)], None, False),
            "analyze --model URI, 1st call": ([*analyze, uri, *store_flag], None, True),
            "analyze --model URI, cached": ([*analyze, uri, *store_flag], None, False),
            "predict --model FOLDER": ([*predict, str(folder)], sentence, False),
            "predict --model URI, cached": ([*predict, uri, *store_flag], sentence, False),
        }
        times: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.repeat):
            for name, (command, stdin, empty_cache) in commands.items():
                if empty_cache:
                    shutil.rmtree(cache, ignore_errors=True)
                times[name].append(wall(command, env, stdin))
        floor = statistics.median(times["imports (floor)"])
        print(f"\nmedian of {args.repeat} fresh processes (URI: {uri})\n")
        best_floor = min(times["imports (floor)"])
        print(f"{'command':34} {'median (s)':>10} {'x imports':>10} {'best (s)':>9} {'x':>6}")
        for name, values in times.items():
            median, best = statistics.median(values), min(values)
            print(
                f"{name:34} {median:10.2f} {median / floor:10.2f} {best:9.2f} "
                f"{best / best_floor:6.2f}"
            )

        base = import_profile(["-c", FLOOR], env)
        folder_run = import_profile(["-m", "haltung.cli", *analyze[1:], str(folder)], env)
        cached_run = import_profile(["-m", "haltung.cli", *analyze[1:], uri, *store_flag], env)
        print(f"\nmodules beyond the floor of `analyze --model FOLDER` (self ms, top {args.top}):")
        extra = beyond(folder_run, base)
        for package, ms in list(extra.items())[: args.top]:
            print(f"  {package:28} {ms:8.0f}")
        print(f"  {'(all of them)':28} {sum(extra.values()):8.0f}")
        more = beyond(cached_run, folder_run)
        listed = [f"{k} {v:.0f}" for k, v in more.items() if v >= 1]
        print(f"modules the cached URI call adds to the folder call (ms): {', '.join(listed)}")
        print(f"mlflow imported by the cached URI call: {'mlflow' in cached_run}")


if __name__ == "__main__":
    main()
