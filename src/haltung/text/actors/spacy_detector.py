"""`SpacyActorDetector`: the rules, with a spaCy pipeline's named entities kept together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from haltung.errors import ConfigError
from haltung.text.actors.detector import MAX_ACTORS, ActorDetector
from haltung.text.actors.tokens import tokenise

_ENTITY_LABELS = ("PER", "PERSON", "ORG", "LOC", "GPE")


class SpacyActorDetector(ActorDetector):
    """`ActorDetector` whose noun phrases also keep the PER/ORG/LOC entities of the spaCy
    pipeline `model` (e.g. de_core_news_lg) together as names, even without a role noun.

    spaCy and the pipeline must be installed, or ConfigError says how to install them.
    """

    def __init__(
        self,
        model: str,
        *,
        gazetteer: Iterable[str] | None = None,
        extra_names: Iterable[str] = (),
        max_actors: int = MAX_ACTORS,
    ):
        super().__init__(gazetteer=gazetteer, extra_names=extra_names, max_actors=max_actors)
        self.model = model
        self.nlp = _load_spacy(model)

    def _entities(self, text: str) -> dict[int, int]:
        """Token spans of the pipeline's PER/ORG/LOC entities that start and end on tokens."""
        tokens = tokenise(text)
        starts = {t.start: i for i, t in enumerate(tokens)}
        ends = {t.end: i + 1 for i, t in enumerate(tokens)}
        spans = {}
        for ent in self.nlp(text).ents:
            kept = ent.label_ in _ENTITY_LABELS
            if kept and ent.start_char in starts and ent.end_char in ends:
                spans[starts[ent.start_char]] = ends[ent.end_char]
        return spans


def _load_spacy(model: str) -> Any:
    """Load a spaCy pipeline, or say clearly why it cannot be used."""
    try:
        import spacy
    except ImportError as err:
        raise ConfigError(
            f"spacy_model={model!r} needs spaCy, which is not installed. Install spaCy and the "
            f"pipeline (`pip install spacy` and `python -m spacy download {model}`), or set "
            "detector: rules to detect actors by rules alone."
        ) from err
    try:
        return spacy.load(model, disable=["parser", "lemmatizer", "tagger"])
    except OSError as err:
        raise ConfigError(
            f"The spaCy pipeline {model!r} is not installed: `python -m spacy download {model}`, "
            "or set detector: rules to detect actors by rules alone."
        ) from err
