"""How `haltung analyze` scales with the length of one article (issue #13).

    .venv/bin/python benchmarks/analyze_scaling.py [--sizes 100 400] [--repeat 3]

The seed article (one actor, „Patel“, named in many of its sentences) is repeated to each size
in KB. For each size: `ActorDetector().detect` plus `entities` on the split sentences, and
`ArticleAnalyzer.rows` end to end (splitting, detection, a trivial classify function), best of
`--repeat`; then the ratio of the largest size to the smallest. Linear code gives a ratio close
to the ratio of the sizes (4 for 100 and 400 KB).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from machine import cpu_line  # benchmarks/machine.py

from haltung.analyze.articles import Article
from haltung.analyze.pipeline import ArticleAnalyzer
from haltung.text.actors import ActorDetector
from haltung.text.sentences import SentenceSplitter

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"


def long_article(kb: int, seed: str | None = None) -> str:
    """The seed article repeated (paragraphs apart) to at least `kb` thousand bytes."""
    seed = seed if seed is not None else SEED.read_text(encoding="utf-8")
    copies = kb * 1000 // len(seed.encode("utf-8")) + 1
    return "\n\n".join([seed] * copies)


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The shortest of `repeat` wall times of `work()`, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def _classify(texts: list[str], actors: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"none": [0.6] * len(texts), "critical": [0.4] * len(texts)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 400], help="KB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    splitter, detector = SentenceSplitter(), ActorDetector()
    analyzer = ArticleAnalyzer(_classify, splitter=splitter, detector=detector)
    print(cpu_line())
    results = []
    for kb in args.sizes:
        text = long_article(kb)
        sentences = [s.text for s in splitter.split(text)]
        detect = best_of(args.repeat, lambda s=sentences: detector.entities(detector.detect(s)))
        whole = best_of(args.repeat, lambda t=text: analyzer.rows(Article("long", t)))
        results.append((kb, detect, whole))
        print(
            f"{kb:>5} KB  {len(sentences):>5} sentences  detect+entities {detect:7.2f} s"
            f"  analyze end to end {whole:7.2f} s"
        )
    if len(results) > 1:
        (kb0, d0, w0), (kb1, d1, w1) = results[0], results[-1]
        print(
            f"ratio {kb1}/{kb0} KB (size x{kb1 / kb0:.1f}): detect+entities x{d1 / d0:.2f},"
            f" end to end x{w1 / w0:.2f}"
        )


if __name__ == "__main__":
    main()
