"""Articles in parallel: worker processes split and detect actors, the main process classifies.

    with Workers(jobs, analyzer.splitter, analyzer.detector) as workers:
        for rows in analyze_chunks(analyzer, article_chunks(articles), workers):
            writer.write(rows)                           # one article's rows, in input order

Articles travel in chunks (`CHUNK_ARTICLES` articles or `CHUNK_CHARS` characters, whichever
comes first). Each worker process runs `ArticleAnalyzer.find` (sentences and actors) on a chunk;
the main process classifies the chunk's rows in one batch (`ArticleAnalyzer.label`) and hands
them on article by article. At most `AHEAD` chunks per worker are in flight, so memory stays
flat and rows stream out while later articles are still being read. The chunks are the same
with or without workers, so the model sees the same batches and the output is the same.

Workers are forked (they inherit the splitter and the detector, which are costly to build and
cannot all be pickled); where `fork` is missing, analysis stays in one process. Workers ignore
Ctrl-C (the main process stops them) and end when the main process is gone.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

import pandas as pd

from haltung.analyze.articles import Article
from haltung.analyze.pipeline import ArticleAnalyzer, Record
from haltung.errors import HaltungError

if TYPE_CHECKING:
    from haltung.analyze.pipeline import Detector
    from haltung.text.sentences import SentenceSplitter

__all__ = [
    "AHEAD",
    "CHUNK_ARTICLES",
    "CHUNK_CHARS",
    "Workers",
    "analyze_articles",
    "analyze_chunks",
    "article_chunks",
    "default_jobs",
    "parallel_possible",
]

CHUNK_ARTICLES = 16  # articles per chunk: one classifier batch, one task for a worker
CHUNK_CHARS = 100_000  # ... or fewer, when they are long
AHEAD = 2  # chunks in flight per worker
_PARENT_CHECK_SECONDS = 1.0


def default_jobs() -> int:
    """The CPU cores this process may use (its affinity, not the machine's count)."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return counted() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def parallel_possible() -> bool:
    """Whether worker processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def article_chunks(
    articles: Iterable[Article],
    *,
    max_articles: int = CHUNK_ARTICLES,
    max_chars: int = CHUNK_CHARS,
) -> Iterator[list[Article]]:
    """The articles in consecutive chunks of at most `max_articles` articles and, unless one
    article alone is longer, `max_chars` characters; read lazily, one chunk at a time."""
    chunk: list[Article] = []
    size = 0
    for article in articles:
        if chunk and (len(chunk) >= max_articles or size + len(article.text) > max_chars):
            yield chunk
            chunk, size = [], 0
        chunk.append(article)
        size += len(article.text)
    if chunk:
        yield chunk


class Workers:
    """`jobs` forked processes that run `ArticleAnalyzer.find` on chunks of articles.

    Use as a context manager: leaving it (also by an error or Ctrl-C) cancels the chunks not
    started and waits for the workers to end, so none is left behind.
    """

    def __init__(self, jobs: int, splitter: SentenceSplitter, detector: Detector):
        if not parallel_possible():
            raise HaltungError("Worker processes need `fork`, which this system lacks: --jobs 1.")
        self.jobs = jobs
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(splitter, detector, os.getpid()),
        )

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel what has not started, wait for the rest; the workers end."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def find(self, chunks: Iterable[Sequence[Article]]) -> Iterator[list[list[Record]]]:
        """The records of each chunk's articles, in input order, with at most `AHEAD` chunks
        per worker in flight (the next chunk is read only when one is handed back). A worker
        that died (killed, out of memory) is a `HaltungError`."""
        pending: deque[Future] = deque()
        try:
            for chunk in chunks:
                pending.append(self._pool.submit(_find, list(chunk)))
                if len(pending) >= AHEAD * self.jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise HaltungError(
                "A worker process ended unexpectedly (out of memory?); try fewer --jobs."
            ) from None


def analyze_chunks(
    analyzer: ArticleAnalyzer,
    chunks: Iterable[Sequence[Article]],
    workers: Workers | None = None,
) -> Iterator[pd.DataFrame]:
    """One frame of rows per article, in input order: sentences and actors found by `workers`
    (or here, without them), each chunk classified in one batch by `analyzer`."""
    if workers is None:
        found: Iterable[list[list[Record]]] = (
            [analyzer.find(article) for article in chunk] for chunk in chunks
        )
    else:
        found = workers.find(chunks)
    for records in found:
        yield from analyzer.label(records)


def analyze_articles(
    analyzer: ArticleAnalyzer, articles: Iterable[Article], *, jobs: int = 1
) -> Iterator[pd.DataFrame]:
    """`analyze_chunks` with `jobs` workers, started only when the input is more than one chunk
    (and `fork` is there); `jobs=1` runs in this process."""
    chunks = article_chunks(articles)
    head = list(itertools.islice(chunks, 2))
    everything = itertools.chain(head, chunks)
    if jobs <= 1 or len(head) < 2 or not parallel_possible():
        yield from analyze_chunks(analyzer, everything)
        return
    with Workers(jobs, analyzer.splitter, analyzer.detector) as workers:
        yield from analyze_chunks(analyzer, everything, workers)


# In the worker processes.

_finder: ArticleAnalyzer | None = None


def _start_worker(splitter: SentenceSplitter, detector: Detector, parent: int) -> None:
    """Ctrl-C is the main process's to handle; the worker ends when its parent is gone."""
    global _finder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers (haltung.stopping) are not ours
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _finder = ArticleAnalyzer(_no_model, splitter=splitter, detector=detector)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker when the main process has died (even by SIGKILL): it would wait forever."""
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


def _find(chunk: list[Article]) -> list[list[Record]]:
    assert _finder is not None, "not a worker process"
    return [_finder.find(article) for article in chunk]


def _no_model(texts: list[str], actors: list[str]) -> Any:
    raise RuntimeError("worker processes do not classify")
