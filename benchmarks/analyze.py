"""Speed of `haltung analyze`: articles/s in batch mode and the cold start of the command.

    python benchmarks/analyze.py --model <TF-IDF model folder> [--transformer <model folder>]

Batch mode analyses the corpus's test documents (rebuilt as articles) in one process. Cold start
is the wall time of `haltung analyze seeds/… --model <TF-IDF model>` (best of --repeat),
compared with `python -c "import sklearn.linear_model, pandas"`; the goal is under twice that.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from haltung import StanceClassifier
from haltung.analyze import Article, ArticleAnalyzer
from haltung.config import compose, project_root
from haltung.data import DataSpec, load_dataset
from haltung.evaluation.pipeline import corpus_documents
from haltung.task import Task

SEED = project_root() / "seeds" / "000_4d560e9d65afaa3b.txt"
BIN = Path(sys.executable).parent


def best_of(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def articles_per_second(model: str, articles: list[Article], quantize: str | None = None) -> float:
    analyzer = ArticleAnalyzer(StanceClassifier.load(model, quantize=quantize).predict_proba)
    analyzer.rows(articles[0])  # warm-up
    started = time.perf_counter()
    for article in articles:
        analyzer.rows(article)
    return len(articles) / (time.perf_counter() - started)


def stream_memory(model: str, articles: list[Article], megabytes: float) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of `haltung analyze` on a JSONL of about `megabytes` MB."""
    import json
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        with path.open("w", encoding="utf-8") as out:
            i = 0
            while out.tell() < megabytes * 1e6:
                article = articles[i % len(articles)]
                out.write(
                    json.dumps({"id": f"a{i}", "text": article.text}, ensure_ascii=False) + "\n"
                )
                i += 1
        command = [
            str(BIN / "haltung"),
            "analyze",
            str(path),
            "--model",
            model,
            "--format",
            "csv",
            "--output",
            str(Path(tmp) / "out.csv"),
        ]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"haltung analyze failed on {megabytes} MB")
        return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a TF-IDF model folder")
    parser.add_argument("--transformer", help="a transformer model folder (fp32 and int8)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--stream-mb",
        type=float,
        nargs="*",
        default=[],
        help="also measure peak memory on JSONL inputs of these sizes (MB)",
    )
    args = parser.parse_args()
    cfg = compose()
    frame = load_dataset(DataSpec.from_config(cfg.data), Task.from_config(cfg.task).labels).frame
    docs = corpus_documents(frame[frame["split"] == "test"])
    articles = [Article(d.doc_id, d.text) for d in docs]
    print(f"batch mode, {len(articles)} test articles of the corpus:")
    tfidf = articles_per_second(args.model, articles)
    print(f"- TF-IDF ({Path(args.model).name}): {tfidf:.1f} articles/s")
    if args.transformer:
        for quantize in (None, "int8"):
            speed = articles_per_second(args.transformer, articles, quantize)
            print(f"- transformer {quantize or 'fp32'}: {speed:.1f} articles/s")
    for megabytes in args.stream_mb:
        peak, seconds = stream_memory(args.model, articles, megabytes)
        print(f"- JSONL of {megabytes:g} MB: peak RSS {peak:.0f} MiB, {seconds:.0f} s")
    imports = best_of([sys.executable, "-c", "import sklearn.linear_model, pandas"], args.repeat)
    analyze = best_of(
        [str(BIN / "haltung"), "analyze", str(SEED), "--model", args.model, "--format", "csv"],
        args.repeat,
    )
    print(f"cold start, best of {args.repeat}:")
    print(f"- python -c 'import sklearn.linear_model, pandas': {imports:.2f} s")
    print(f"- haltung analyze <seed article> (TF-IDF): {analyze:.2f} s = {analyze / imports:.2f}x")


if __name__ == "__main__":
    main()
