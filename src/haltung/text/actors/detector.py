"""`ActorDetector`: the actors of each sentence of a German news document, found by rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from haltung.errors import ConfigError
from haltung.text.actors.document import (
    Analysis,
    Resolver,
    _attribution_only,
    _is_heading,
    _quote_state,
    _reported,
    _says_there,
)
from haltung.text.actors.entities import document_entities
from haltung.text.actors.finders import _find_actors
from haltung.text.actors.names import Gazetteer, builtin_entries
from haltung.text.actors.sentence import Sentence
from haltung.text.actors.tokens import visible

MAX_ACTORS = 3  # per sentence, most salient first


class ActorDetector:
    """Finds the actors of the sentences of a German news document, without model weights.

    `gazetteer` names institutions, groups and places that act as actors (None: the built-in
    list, `builtin_gazetteer()`; a list replaces it); `extra_names` are added to it. Multi-word
    names are kept together („Bund der Steuerzahler“); an entry may list aliases
    („USA = Vereinigte Staaten“, the first canonical). At most `max_actors` per sentence.
    """

    def __init__(
        self,
        *,
        gazetteer: Iterable[str] | None = None,
        extra_names: Iterable[str] = (),
        max_actors: int = MAX_ACTORS,
    ):
        for option, value in (("gazetteer", gazetteer), ("extra_names", extra_names)):
            if isinstance(value, str):
                raise ConfigError(f"{option} must be a list of names, not the string {value!r}.")
        if isinstance(max_actors, bool) or not isinstance(max_actors, int) or max_actors < 1:
            raise ConfigError(
                f"max_actors must be a whole number of at least 1, not {max_actors!r}."
            )
        names = builtin_entries() if gazetteer is None else tuple(gazetteer)
        self.gazetteer = Gazetteer([*names, *extra_names])
        self.max_actors = max_actors

    def detect(self, sentences: Sequence[str]) -> list[list[str]]:
        """For the sentences of ONE document, in order: the actors of each sentence as written
        in the text (possibly []), at most `max_actors` per sentence, most salient first."""
        analyses, quoted = [], False
        for text in sentences:
            analysis = self._analyse(visible(text), quoted)
            analyses.append(analysis)
            quoted = analysis.sentence.quoted if analysis.sentence else False
        return Resolver(analyses).resolve()

    def entities(self, actors: Sequence[Sequence[str]]) -> list[list[str]]:
        """The canonical entity of each actor that `detect` found in ONE document, in the same
        shape: gazetteer aliases merged, roles dropped from persons' names, a short name
        („Rutte“) resolved to the fullest one of the document („Mark Rutte“)."""
        return document_entities(actors, self.gazetteer)

    def _analyse(self, text: str, quoted: bool = False) -> Analysis:
        """What one sentence says by itself (`quoted`: a straight quote is open before it)."""
        sentence = Sentence(text, self.gazetteer, self._entities(text), quoted)
        analysis = Analysis([], **_quote_state(sentence))
        if _is_heading(text):
            analysis.heading = True
            return analysis
        analysis.actors, analysis.pronoun = _find_actors(sentence, self.max_actors)
        analysis.attribution_only = _attribution_only(sentence)
        analysis.reported = _reported(sentence)
        analysis.there = _says_there(sentence)
        analysis.sentence = sentence
        return analysis

    def _entities(self, text: str) -> dict[int, int]:
        """Token spans (start index -> end index) to keep together as names: none by rules."""
        return {}
