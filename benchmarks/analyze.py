"""Speed of `haltung analyze`: articles/s with 1 and 2 jobs, the stages' shares, cold start.

    flock /tmp/haltung-bench.lock .venv/bin/python benchmarks/analyze.py [--model <TF-IDF folder>]
        [--articles 400] [--repeat 3] [--transformer <model folder>] [--stream-mb 1 8]
        [--spark local[2]]

Without --model, tfidf_logreg is trained on the test fixture (`data=fixture`, a second). The
articles are the corpus's test documents rebuilt as articles, repeated to --articles. Jobs:
`analyze_articles` (what `haltung analyze --jobs N` runs, pool start included) writing CSV,
--jobs 1 and --jobs 2 alternately, best of --repeat each. Stages: the 1-job path with each stage
timed (splitting, actor detection, classifying = `ArticleAnalyzer.label`, writing CSV and
HTML). Cold start is the wall time of `haltung analyze seeds/… --model <TF-IDF model>` (best of
--repeat), compared with `python -c "import sklearn.linear_model, pandas"`.
"""

from __future__ import annotations

import argparse
import io
import itertools
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from machine import cpu_line  # benchmarks/machine.py

from haltung import StanceClassifier
from haltung.analyze import Article, ArticleAnalyzer, open_writer
from haltung.analyze.parallel import analyze_articles, article_chunks
from haltung.config import compose, project_root
from haltung.data import DataSpec, load_dataset
from haltung.evaluation.pipeline import corpus_documents
from haltung.task import Task

SEED = project_root() / "seeds" / "000_4d560e9d65afaa3b.txt"
BIN = Path(sys.executable).parent


def train_fixture_model(folder: Path) -> Path:
    """tfidf_logreg fitted on the fixture's records (speed only), saved as a model folder."""
    from haltung.models import build_estimator
    from haltung.tracking.pyfunc import save_model_folder

    cfg = compose(["data=fixture", "model=tfidf_logreg"])
    labels = Task.from_config(cfg.task).labels
    frame = load_dataset(DataSpec.from_config(cfg.data), labels).frame
    train = frame[["text", "actor", "label"]]
    estimator = build_estimator(cfg.model)
    estimator.fit(train[["text", "actor"]], train["label"])
    meta = {"task": "stance", "model": "tfidf_logreg", "data": "fixture"}
    return save_model_folder(estimator, labels, folder, train[["text", "actor"]].head(2), meta)


def corpus_articles(count: int) -> list[Article]:
    """The corpus's test documents as articles, repeated (with new ids) to `count`."""
    cfg = compose()
    frame = load_dataset(DataSpec.from_config(cfg.data), Task.from_config(cfg.task).labels).frame
    docs = corpus_documents(frame[frame["split"] == "test"])
    cycle = itertools.cycle(enumerate(docs))
    return [Article(f"{d.doc_id}-{i}", d.text) for i, d in itertools.islice(cycle, count)]


def jobs_speed(
    analyzer: ArticleAnalyzer, articles: list[Article], jobs: int, fmt: str = "csv"
) -> tuple[float, float, float]:
    """Articles/s of `analyze_articles` with `jobs` (workers started inside the timing), and
    the CPU seconds of this process and of the workers (reaped when the pool ends)."""
    writer = open_writer(fmt, io.StringIO(), about={})
    main_cpu, workers_cpu = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for rows in analyze_articles(analyzer, iter(articles), jobs=jobs):
        writer.write(rows)
    writer.close()
    speed = len(articles) / (time.perf_counter() - started)
    main_cpu = _cpu(resource.RUSAGE_SELF) - main_cpu
    return speed, main_cpu, _cpu(resource.RUSAGE_CHILDREN) - workers_cpu


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class Timed:
    """Wraps a stage object or function and adds its time to `seconds[name]`."""

    def __init__(self, seconds: dict[str, float], name: str, target: Callable):
        self.seconds, self.name, self.target = seconds, name, target

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.target(*args, **kwargs)
        finally:
            self.seconds[self.name] += time.perf_counter() - started


def stage_shares(classify, articles: list[Article], fmt: str) -> tuple[float, dict[str, float]]:
    """Articles/s of the 1-job path and each stage's share of its time."""
    seconds: dict[str, float] = defaultdict(float)
    plain = ArticleAnalyzer(classify)
    plain.splitter.split = Timed(seconds, "splitting", plain.splitter.split)
    plain.detector.detect = Timed(seconds, "actor detection", plain.detector.detect)
    plain.detector.entities = Timed(seconds, "actor detection", plain.detector.entities)
    plain.label = Timed(seconds, "classifying", plain.label)
    plain.rows(articles[0])  # warm-up
    seconds.clear()
    writer = open_writer(fmt, io.StringIO(), about={})
    write = Timed(seconds, "writing", writer.write)
    started = time.perf_counter()
    for chunk in article_chunks(articles):
        for rows in plain.label([plain.find(article) for article in chunk]):
            write(rows)
    writer.close()
    total = time.perf_counter() - started
    seconds["other (reading, chunking)"] = total - sum(seconds.values())
    return len(articles) / total, {name: s / total for name, s in seconds.items()}


def best_of(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def stream_memory(model: str, articles: list[Article], megabytes: float) -> tuple[float, float]:
    """Peak RSS (MiB, the largest process) and seconds of `haltung analyze` on a JSONL of
    about `megabytes` MB."""
    import json
    import os

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
        output = str(Path(tmp) / "out.csv")
        command = [str(BIN / "haltung"), "analyze", str(path), "--model", model]
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--format", "csv", "--output", output],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"haltung analyze failed on {megabytes} MB")
        return usage.ru_maxrss / 1024, time.perf_counter() - started


def spark_seconds(model: str, articles: list[Article], master: str, repeat: int) -> float:
    """Best wall time of `analyze_on_spark` on the articles as JSONL (session start included)."""
    import json

    from haltung.analyze.spark import analyze_on_spark

    settings = dict(compose().analyze)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for article in articles:
                out.write(json.dumps({"id": article.id, "text": article.text}) + "\n")
        for i in range(repeat):
            started = time.perf_counter()
            analyze_on_spark(
                path, Path(tmp) / f"rows{i}.parquet", model_dir=model, analyze_cfg=settings,
                master=master,
            )  # fmt: skip
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a TF-IDF model folder (default: trained on the fixture)")
    parser.add_argument("--transformer", help="a transformer model folder (fp32 and int8)")
    parser.add_argument("--articles", type=int, default=400, help="articles per measurement")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--stream-mb",
        type=float,
        nargs="*",
        default=[],
        help="also measure peak memory on JSONL inputs of these sizes (MB)",
    )
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold start")
    parser.add_argument(
        "--spark",
        nargs="*",
        default=[],
        metavar="MASTER",
        help="also time `--engine spark` with these masters, e.g. local[2] (Spark's start "
        "included: one session per run)",
    )
    args = parser.parse_args()
    print(cpu_line())
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or str(train_fixture_model(Path(tmp) / "model"))
        run(args, model)


def run(args: argparse.Namespace, model: str) -> None:
    articles = corpus_articles(args.articles)
    classifier = StanceClassifier.load(model)
    analyzer = ArticleAnalyzer(classifier.predict_proba)
    analyzer.rows(articles[0])  # warm-up
    name = Path(args.model).name if args.model else "tfidf_logreg on the fixture"
    print(f"\n{len(articles)} articles (corpus test documents, repeated), TF-IDF ({name}), CSV:")
    runs: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    for _ in range(args.repeat):
        for jobs in (1, 2):
            runs[jobs].append(jobs_speed(analyzer, articles, jobs))
    (one, cpu_one, _), (two, main_two, workers_two) = (max(runs[jobs]) for jobs in (1, 2))
    print("| --jobs 1 | --jobs 2 | ratio |\n|---|---|---|")
    print(f"| {one:.1f} articles/s | {two:.1f} articles/s | {two / one:.2f}x |")
    every = {jobs: ", ".join(f"{run[0]:.1f}" for run in runs[jobs]) for jobs in (1, 2)}
    print(f"(best of {args.repeat}; all runs: 1 job {every[1]}; 2 jobs {every[2]})")
    # CPU time does not depend on what else runs; on two idle cores the 2-job wall time is at
    # least max(main process, all CPU / 2)
    best = cpu_one / max(main_two, (main_two + workers_two) / 2)
    print(
        f"CPU seconds (best runs): 1 job {cpu_one:.2f}; 2 jobs {main_two:.2f} main + "
        f"{workers_two:.2f} workers = {main_two + workers_two:.2f}; on two idle cores the "
        f"ratio could reach {best:.2f}x"
    )
    for fmt in ("csv", "html"):
        speed, shares = stage_shares(classifier.predict_proba, articles, fmt)
        parts = ", ".join(f"{stage} {share:.0%}" for stage, share in shares.items())
        print(f"- stages, --jobs 1, {fmt} ({speed:.1f} articles/s): {parts}")
    if args.transformer:
        for quantize in (None, "int8"):
            slow = ArticleAnalyzer(StanceClassifier.load(args.transformer, quantize).predict_proba)
            speed = jobs_speed(slow, articles[:100], 1)
            print(f"- transformer {quantize or 'fp32'}, --jobs 1: {speed:.1f} articles/s")
    for master in args.spark:
        seconds = spark_seconds(model, articles, master, args.repeat)
        print(
            f"- --engine spark --master {master}: {len(articles) / seconds:.1f} articles/s "
            f"(best of {args.repeat}, {seconds:.1f} s with Spark's start)"
        )
    for megabytes in args.stream_mb:
        peak, seconds = stream_memory(model, articles, megabytes)
        print(f"- JSONL of {megabytes:g} MB: peak RSS {peak:.0f} MiB, {seconds:.0f} s")
    if args.no_cold_start:
        return
    imports = best_of([sys.executable, "-c", "import sklearn.linear_model, pandas"], args.repeat)
    analyze = best_of(
        [str(BIN / "haltung"), "analyze", str(SEED), "--model", model, "--format", "csv"],
        args.repeat,
    )
    print(f"cold start, best of {args.repeat}:")
    print(f"- python -c 'import sklearn.linear_model, pandas': {imports:.2f} s")
    print(f"- haltung analyze <seed article> (TF-IDF): {analyze:.2f} s = {analyze / imports:.2f}x")


if __name__ == "__main__":
    main()
