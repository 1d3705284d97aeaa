"""Wall time of `haltung-train`: per model, or side by side with bare scikit-learn (`--pair`).

    python benchmarks/train.py [--models tfidf_logreg,tfidf_svm] [--repeat 3] [OVERRIDE ...]
    python benchmarks/train.py --pair [--repeat 3] [--fresh-store] [--blas-threads 1]

Each run is a fresh process (cold start included). Per model: the runs log into one temporary
MLflow store; prints a Markdown table to paste into benchmarks/README.md.

`--pair` alternates (a) `haltung-train` with the default settings (HaltungNews, the default
model) and (b) `benchmarks/bare_sklearn.py`, the same fit, test prediction and joblib save
without haltung, `--repeat` times, and prints each pair's wall and CPU seconds, the median
ratio a/b and its range. (a) logs into an existing store (one untimed run first creates it, as
a user's first run does); `--fresh-store` gives every timed run a new store instead.
`--blas-threads N` runs both with N BLAS/OpenMP threads: on a busy machine OpenBLAS's own
threads can make the same fit several times slower, which drowns what the harness costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from machine import cpu_line  # benchmarks/machine.py

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "haltung-news" / "haltung-news.jsonl"


@dataclass
class Timing:
    """One process: wall seconds, CPU seconds (user + system) and peak resident memory."""

    wall: float
    cpu: float
    peak_mib: float


def timed(command: list[str], env: dict[str, str] | None = None) -> Timing:
    """Run `command` to the end; fail with its last error lines if it fails."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own usage
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def haltung_train(folder: Path, *overrides: str) -> list[str]:
    return [
        str(BIN / "haltung-train"),
        f"paths.experiments_dir={folder}",
        "tracking.experiment_name=benchmark",
        *overrides,
    ]


def per_model(models: list[str], repeat: int, overrides: list[str]) -> None:
    print("| model | wall time (s), median of runs | peak RSS (MiB) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            command = haltung_train(Path(tmp), f"model={model}", *overrides)
            runs = [timed(command) for _ in range(repeat)]
            wall = statistics.median(r.wall for r in runs)
            print(f"| {model} | {wall:.1f} | {max(r.peak_mib for r in runs):.0f} |", flush=True)


def pair(repeat: int, fresh_store: bool, blas_threads: int | None, overrides: list[str]) -> None:
    print(cpu_line())
    store = "a fresh store per run" if fresh_store else "an existing store"
    print(f"(a) haltung-train, defaults, {store}; (b) benchmarks/bare_sklearn.py")
    env = dict(os.environ)
    if blas_threads:  # the same for both: the fit's BLAS threads, not the harness, then differ
        names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
        env |= dict.fromkeys(names, str(blas_threads))
        print(f"both with {blas_threads} BLAS/OpenMP thread(s)")
    print()
    print("| pair | (a) wall s | (b) wall s | wall a/b | (a) CPU s | (b) CPU s | CPU a/b |")
    print("|---|---|---|---|---|---|---|")
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not fresh_store:
            timed(haltung_train(folder / "store", *overrides), env)  # creates the store, untimed
        for k in range(1, repeat + 1):
            where = folder / f"store{k}" if fresh_store else folder / "store"
            a = timed(haltung_train(where, *overrides), env)
            bare = [
                sys.executable,
                str(HERE / "bare_sklearn.py"),
                str(DATA),
                str(folder / "m.joblib"),
            ]
            b = timed(bare, env)
            walls.append(a.wall / b.wall)
            cpus.append(a.cpu / b.cpu)
            print(
                f"| {k} | {a.wall:.2f} | {b.wall:.2f} | {walls[-1]:.2f} | {a.cpu:.2f} | "
                f"{b.cpu:.2f} | {cpus[-1]:.2f} |",
                flush=True,
            )
    print(
        f"\nwall a/b: median {statistics.median(walls):.2f}x "
        f"(range {min(walls):.2f}-{max(walls):.2f}x); CPU a/b: median "
        f"{statistics.median(cpus):.2f}x (range {min(cpus):.2f}-{max(cpus):.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="majority,tfidf_logreg,tfidf_svm,tfidf_nb,tfidf_char")
    parser.add_argument("--repeat", type=int, default=3, help="runs per model, or pairs")
    parser.add_argument("--pair", action="store_true", help="haltung-train vs bare scikit-learn")
    parser.add_argument("--fresh-store", action="store_true", help="--pair: a new store per run")
    parser.add_argument(
        "--blas-threads", type=int, help="--pair: BLAS/OpenMP threads of both (default: theirs)"
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for haltung-train")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.pair:
        pair(args.repeat, args.fresh_store, args.blas_threads, args.overrides)
    else:
        per_model(args.models.split(","), args.repeat, args.overrides)


if __name__ == "__main__":
    main()
