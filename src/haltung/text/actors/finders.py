"""The actors of one sentence: all finders' candidates, ranked and deduplicated."""

from __future__ import annotations

from haltung.text.actors.forms import _candidate, _compatible
from haltung.text.actors.lexicon import _NOMINATIVE_DETERMINERS
from haltung.text.actors.names import _contains, normalise_actor
from haltung.text.actors.sentence import Sentence
from haltung.text.actors.sources import (
    _find_hiess_es,
    _find_opinion_holder,
    _find_own_account,
    _find_reactions,
    _find_sources,
)
from haltung.text.actors.subjects import (
    _find_any_verb_subject,
    _find_inverted,
    _find_subjects,
    _find_subordinate,
)
from haltung.text.actors.tokens import _RANK_FALLBACK, _RANK_SUBJECT, Candidate

_FINDERS = (
    _find_subjects,
    _find_inverted,
    _find_sources,
    _find_hiess_es,
    _find_subordinate,
    _find_reactions,
    _find_opinion_holder,
    _find_own_account,
    _find_any_verb_subject,
)


def _local_antecedent(sentence: Sentence, pronoun: Candidate) -> Candidate | None:
    """„Deutlicher wurde die Gewerkschaft Verdi: Sie lehnte …“: an earlier phrase of the same
    sentence, before a colon or semicolon, that the pronoun can refer to."""
    cut = max(
        (k for k in range(sentence.first, pronoun.position) if sentence.low(k) in (":", ";")),
        default=-1,
    )
    for k in range(sentence.first, max(cut, sentence.first)):
        if sentence.low(k) not in _NOMINATIVE_DETERMINERS and k != sentence.first:
            continue
        phrase = sentence.phrase(k)
        if phrase is None or not (sentence.is_common(phrase) or sentence.is_person(phrase)):
            continue
        candidate = _candidate(sentence, phrase, _RANK_SUBJECT)
        if candidate and _compatible(candidate.gender, pronoun.pronoun):
            return candidate
    return None


def _find_actors(sentence: Sentence, limit: int) -> tuple[list[Candidate], str | None]:
    """The sentence's actors, best first, at most `limit`; when a pronoun subject („er“, „sie“)
    is all there is, also its gender ("m", "f"), for the document pass to resolve."""
    found: list[Candidate] = []
    for finder in _FINDERS:
        found.extend(finder(sentence))
    pronouns = [c for c in found if c.pronoun]
    if pronouns:
        found = [c for c in found if c.rank < _RANK_FALLBACK]
    actors = _select(found, limit)
    if pronouns and not actors:
        local = _local_antecedent(sentence, pronouns[0])
        return ([local] if local else []), pronouns[0].pronoun
    return actors, None


def _select(found: list[Candidate], limit: int) -> list[Candidate]:
    """Best first, one per actor, at most `limit`."""
    named = sorted((c for c in found if c.text), key=lambda c: (c.rank, c.position))
    if named and named[0].rank < _RANK_FALLBACK:
        named = [c for c in named if c.rank < _RANK_FALLBACK]
    chosen: list[Candidate] = []
    seen: set[str] = set()
    for candidate in named:
        key = normalise_actor(candidate.text)
        if not key or key in seen:
            continue
        if any(_contains(key, normalise_actor(c.text)) for c in chosen):
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen[:limit]
