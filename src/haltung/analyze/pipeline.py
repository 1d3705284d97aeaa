"""Articles to rows: split into sentences → detect each sentence's actors → classify the pairs.

One row per (sentence, actor), with the columns of `COLUMNS`: doc_id, sentence_index (1-based),
sentence, actor ('' when none is found), stance, score (the probability of that stance).
The stages are plain objects: any `classify` function, any detector with `detect`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import pandas as pd

from haltung.analyze.articles import Article
from haltung.errors import ConfigError

if TYPE_CHECKING:
    from haltung.text.sentences import SentenceSplitter

__all__ = ["COLUMNS", "ArticleAnalyzer", "Classify", "Detector", "analyze_texts", "build_detector"]

COLUMNS = ["doc_id", "sentence_index", "sentence", "actor", "stance", "score"]

#: (texts, actors) → one row per text, one probability column per label.
Classify: TypeAlias = Callable[[list[str], list[str]], pd.DataFrame]


class Detector(Protocol):
    """Finds actors: for the sentences of one document, the actors of each (possibly [])."""

    def detect(self, sentences: Sequence[str]) -> list[list[str]]: ...


class ArticleAnalyzer:
    """The three stages, built once (the splitter and the detector are costly to build)."""

    def __init__(
        self,
        classify: Classify,
        *,
        splitter: SentenceSplitter | None = None,
        detector: Detector | None = None,
    ):
        """`splitter` defaults to SoMaJo's `SentenceSplitter`, `detector` to the rule-based
        `ActorDetector` with its built-in gazetteer (what conf/analyze/default.yaml chooses;
        `build_detector` builds the configured one)."""
        if splitter is None:
            from haltung.text.sentences import SentenceSplitter

            splitter = SentenceSplitter()
        if detector is None:
            from haltung.text.actors import ActorDetector

            detector = ActorDetector()
        self.classify = classify
        self.splitter = splitter
        self.detector = detector

    def rows(self, article: Article) -> pd.DataFrame:
        """The (sentence, actor) rows of one article, with the most probable stance and its
        probability."""
        sentences = self.splitter.split(article.text)
        if not sentences:
            return pd.DataFrame(columns=COLUMNS)
        actors = self.detector.detect([s.text for s in sentences])
        records = [
            (article.id, i, sentence.text, actor)
            for i, (sentence, found) in enumerate(zip(sentences, actors, strict=True), start=1)
            for actor in (found or [""])
        ]
        frame = pd.DataFrame(records, columns=COLUMNS[:4])
        proba = self.classify(frame["sentence"].tolist(), frame["actor"].tolist())
        frame["stance"] = proba.idxmax(axis=1).to_numpy()
        frame["score"] = proba.max(axis=1).round(4).to_numpy()
        return frame


def analyze_texts(
    classify: Classify | Any,
    texts: Iterable[str],
    *,
    splitter: SentenceSplitter | None = None,
    detector: Detector | None = None,
) -> pd.DataFrame:
    """Several articles (ids doc1, doc2, …) as one frame.

    `classify` is a `Classify` function or a model with `predict_proba(texts, actors)`, such as
    a `StanceClassifier`.
    """
    classify = getattr(classify, "predict_proba", classify)
    analyzer = ArticleAnalyzer(classify, splitter=splitter, detector=detector)
    frames = [analyzer.rows(Article(f"doc{i}", t)) for i, t in enumerate(texts, start=1)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def build_detector(cfg: Mapping[str, Any]) -> Detector:
    """The actor detector that the `analyze` config group asks for.

    Keys: detector (rules | spacy), spacy_model, max_actors, gazetteer (null: the built-in
    list), extra_names. A detector that cannot be built is a `ConfigError`.
    """
    from haltung.text.actors import ActorDetector, SpacyActorDetector

    kind = str(cfg.get("detector") or "rules")
    options = {
        "gazetteer": _names(cfg.get("gazetteer"), "gazetteer"),
        "extra_names": _names(cfg.get("extra_names") or [], "extra_names"),
        "max_actors": cfg.get("max_actors", 3),
    }
    if kind == "rules":
        return ActorDetector(**options)
    if kind != "spacy":
        raise ConfigError(f"analyze.detector must be 'rules' or 'spacy', not {kind!r}.")
    model = cfg.get("spacy_model")
    if not model:
        raise ConfigError("analyze.detector=spacy needs analyze.spacy_model, e.g. de_core_news_lg.")
    return SpacyActorDetector(str(model), **options)


def _names(value: Any, key: str) -> Any:
    """A config list as a list of str; None and str pass (the detector judges them)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return [str(name) for name in value]
    except TypeError:
        raise ConfigError(f"analyze.{key} must be a list of names, not {value!r}.") from None
