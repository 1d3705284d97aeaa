"""Articles to rows: split into sentences → detect each sentence's actors → classify the pairs.

One row per (sentence, actor), with the columns of `COLUMNS`: doc_id, sentence_index (1-based),
sentence, actor (as written; '' when none is found), entity (its canonical name, one per actor
of the document: „Rutte“ → „Mark Rutte“), stance, score (the probability of that stance) and
reason (why the row has its stance when the model did not say: "no actor found"; else '').
The stages are plain objects: any `classify` function, any detector with `detect`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np
import pandas as pd

from haltung.analyze.articles import Article
from haltung.errors import ConfigError

if TYPE_CHECKING:
    from haltung.text.sentences import SentenceSplitter

__all__ = [
    "ACTORLESS",
    "COLUMNS",
    "NO_ACTOR",
    "ArticleAnalyzer",
    "Classify",
    "Detector",
    "Record",
    "analyze_texts",
    "analyzer_options",
    "build_detector",
]

COLUMNS = ["doc_id", "sentence_index", "sentence", "actor", "entity", "stance", "score", "reason"]
#: What a sentence without an actor gets: "none" (the label none, score 1.0, the model is not
#: asked) or "classify" (the model's label for the sentence alone).
ACTORLESS = ("none", "classify")
NO_STANCE = "none"
NO_ACTOR = "no actor found"

#: (texts, actors) → one row per text, one probability column per label.
Classify: TypeAlias = Callable[[list[str], list[str]], pd.DataFrame]
#: What `ArticleAnalyzer.find` gives per (sentence, actor): doc_id, sentence_index, sentence,
#: actor, entity (the first five of `COLUMNS`); plain tuples, cheap to send between processes.
Record: TypeAlias = tuple[str, int, str, str, str]


class Detector(Protocol):
    """Finds actors: for the sentences of one document, the actors of each (possibly [])."""

    def detect(self, sentences: Sequence[str]) -> list[list[str]]: ...


class ArticleAnalyzer:
    """The three stages, built once (the splitter and the detector are costly to build):
    `find` splits an article and detects its actors, `label` classifies the records of
    several articles in one batch, `rows` does both for one article."""

    def __init__(
        self,
        classify: Classify,
        *,
        splitter: SentenceSplitter | None = None,
        detector: Detector | None = None,
        actorless: str = "none",
    ):
        """`splitter` defaults to SoMaJo's `SentenceSplitter`, `detector` to the rule-based
        `ActorDetector` with its built-in gazetteer (what conf/analyze/default.yaml chooses;
        `build_detector` builds the configured one).

        `actorless` (one of `ACTORLESS`): "none" labels a sentence without an actor `none`
        (score 1.0, reason `NO_ACTOR`) without asking the model, when the model has the label
        `none` (a model without it is asked); "classify" asks the model for it too. Entities
        come from the detector's `entities` method, else from `document_entities`."""
        if actorless not in ACTORLESS:
            raise ConfigError(
                f"actorless must be one of {', '.join(ACTORLESS)}, not {actorless!r}."
            )
        if splitter is None:
            from haltung.text.sentences import SentenceSplitter

            splitter = SentenceSplitter()
        if detector is None:
            from haltung.text.actors import ActorDetector

            detector = ActorDetector()
        self.classify = classify
        self.splitter = splitter
        self.detector = detector
        self.actorless = actorless
        self.labels: list[str] | None = None  # the model's, known after its first answer

    def rows(self, article: Article) -> pd.DataFrame:
        """The (sentence, actor) rows of one article, with the most probable stance and its
        probability (see the module's docstring for the columns)."""
        return self.label([self.find(article)])[0]

    def find(self, article: Article) -> list[Record]:
        """Split the article and detect the actors of each sentence (no model): one `Record`
        per (sentence, actor), or per sentence without an actor (actor and entity '')."""
        sentences = self.splitter.split(article.text)
        if not sentences:
            return []
        actors = self.detector.detect([s.text for s in sentences])
        entities = self._entities(actors)
        return [
            (article.id, i, sentence.text, actor, entity)
            for i, (sentence, found, named) in enumerate(
                zip(sentences, actors, entities, strict=True), start=1
            )
            for actor, entity in (zip(found, named, strict=True) if found else [("", "")])
        ]

    def label(self, found: Sequence[Sequence[Record]]) -> list[pd.DataFrame]:
        """The rows of several articles (their `find` records), classified in one batch: one
        frame per article, in order. An article without sentences gives an empty frame."""
        sizes = [len(records) for records in found]
        frame = pd.DataFrame(
            [record for records in found for record in records], columns=COLUMNS[:5]
        )
        if frame.empty:
            return [pd.DataFrame(columns=COLUMNS) for _ in found]
        frame["stance"], frame["score"], frame["reason"] = "", 0.0, ""
        forced = (frame["actor"] == "").to_numpy() & (self.actorless == NO_STANCE)
        asked = ~forced
        if not asked.any() and self.labels is None:
            asked = np.ones_like(forced)  # the model's labels are not known yet: ask it once
        self._classify(frame, asked)
        if forced.any() and NO_STANCE not in (self.labels or ()):
            self._classify(frame, forced & ~asked)
        elif forced.any():
            frame.loc[forced, ["stance", "score", "reason"]] = [NO_STANCE, 1.0, NO_ACTOR]
        if len(found) == 1:
            return [frame]
        ends = np.cumsum(sizes)
        return [
            frame.iloc[end - size : end].reset_index(drop=True)
            if size
            else pd.DataFrame(columns=COLUMNS)
            for size, end in zip(sizes, ends, strict=True)
        ]

    def _classify(self, frame: pd.DataFrame, which: np.ndarray) -> None:
        """Fill stance and score of the rows `which` (a boolean mask) with the model's answer."""
        if not which.any():
            return
        part = frame.loc[which]
        proba = self.classify(part["sentence"].tolist(), part["actor"].tolist())
        self.labels = self.labels or [str(label) for label in proba.columns]
        frame.loc[which, "stance"] = proba.idxmax(axis=1).to_numpy()
        frame.loc[which, "score"] = proba.max(axis=1).round(4).to_numpy()

    def _entities(self, actors: list[list[str]]) -> list[list[str]]:
        """The entity of each actor: the detector's `entities`, else `document_entities`."""
        entities = getattr(self.detector, "entities", None)
        if callable(entities):
            return entities(actors)
        from haltung.text.actors import document_entities

        return document_entities(actors)


def analyze_texts(
    classify: Classify | Any,
    texts: Iterable[str],
    *,
    splitter: SentenceSplitter | None = None,
    detector: Detector | None = None,
    actorless: str = "none",
) -> pd.DataFrame:
    """Several articles (ids doc1, doc2, …) as one frame.

    `classify` is a `Classify` function or a model with `predict_proba(texts, actors)`, such as
    a `StanceClassifier`; `actorless` as for `ArticleAnalyzer`.
    """
    from haltung.analyze.parallel import analyze_chunks, article_chunks

    classify = getattr(classify, "predict_proba", classify)
    analyzer = ArticleAnalyzer(classify, splitter=splitter, detector=detector, actorless=actorless)
    articles = (Article(f"doc{i}", text) for i, text in enumerate(texts, start=1))
    frames = list(analyze_chunks(analyzer, article_chunks(articles)))  # a batch per chunk
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


def analyzer_options(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The `ArticleAnalyzer` keyword options that the `analyze` config group sets (actorless);
    a value that is not allowed is a `ConfigError`."""
    actorless = str(cfg.get("actorless") or "none")
    if actorless not in ACTORLESS:
        raise ConfigError(f"analyze.actorless must be none or classify, not {actorless!r}.")
    return {"actorless": actorless}


def _names(value: Any, key: str) -> Any:
    """A config list as a list of str; None and str pass (the detector judges them)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return [str(name) for name in value]
    except TypeError:
        raise ConfigError(f"analyze.{key} must be a list of names, not {value!r}.") from None
