"""Wall time and peak memory of `haltung-train` per model, as a user runs it.

    python benchmarks/train.py [--models tfidf_logreg,tfidf_svm] [--repeat 3] [OVERRIDE ...]

Each run is a fresh process (cold start included) logging into a temporary MLflow store.
Prints a Markdown table to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run_once(model: str, overrides: list[str], folder: Path) -> tuple[float, float]:
    """Seconds and peak resident memory (MiB) of one haltung-train process."""
    command = [
        str(BIN / "haltung-train"),
        f"model={model}",
        f"paths.experiments_dir={folder}",
        "tracking.experiment_name=benchmark",
        *overrides,
    ]
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"haltung-train model={model} failed:\n{errors.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="majority,tfidf_logreg,tfidf_svm,tfidf_nb,tfidf_char")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    print("| model | wall time (s), median of runs | peak RSS (MiB) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            times, peaks = [], []
            for _ in range(args.repeat):
                seconds, peak = run_once(model, args.overrides, Path(tmp))
                times.append(seconds)
                peaks.append(peak)
            print(f"| {model} | {statistics.median(times):.1f} | {max(peaks):.0f} |", flush=True)


if __name__ == "__main__":
    main()
