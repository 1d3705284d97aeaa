"""Finders of sources and reactions: „laut X“, „nach Angaben des X“, „X zufolge“, „…, so X“,
„hieß es aus X“, „Kritik kam von X“, votes, passive agents, „nach eigenen Angaben“."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from haltung.text.actors.forms import _subject_phrases
from haltung.text.actors.lexicon import (
    _BOUNDARIES,
    _DOCUMENT_NOUNS,
    _FUNCTION_WORDS,
    _INANIMATE_RE,
    _MEET_VERBS,
    _REACTION_NOUNS,
    _RECEIVE_VERBS,
    _SOURCE_NOUNS,
)
from haltung.text.actors.sentence import Sentence
from haltung.text.actors.subjects import _midfield_end, _nominative, _post_verbal_subject
from haltung.text.actors.tokens import (
    _RANK_ATTRIBUTION,
    _RANK_OTHER,
    _RANK_SOURCE,
    _RANK_SUBJECT,
    Candidate,
    Phrase,
)
from haltung.text.actors.verbs import _PASSIVE_AUX, _verbs


def _find_sources(sentence: Sentence) -> Iterator[Candidate]:
    """„laut X“, „nach Angaben des X“, „X zufolge“, „…, so X“, „aus Sicht des X“."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low in ("laut", "gemäß"):
            yield from _source_after(sentence, i + 1)
        elif low in ("nach", "aus") or (low == "einem" and sentence.low(i - 1) != "mit"):
            yield from _source_noun(sentence, i + 1)
        elif low == "zufolge":
            yield from _source_before(sentence, i)
        elif low == "so" and sentence.low(i - 1) == "," and sentence.tokens[i].text == "so":
            phrase = sentence.phrase(i + 1)
            if phrase and sentence.boundary(phrase.end):
                yield from _subject_phrases(sentence, phrase, _RANK_ATTRIBUTION)
        elif low.endswith("angaben") and len(low) > 9 and sentence.low(i - 1) in ("nach", "laut"):
            yield Candidate(_compound_source(sentence.tokens[i].text), _RANK_SOURCE, i)


def _compound_source(word: str) -> str:
    """„DAAD-Angaben“ → „DAAD“, „Polizeiangaben“ → „Polizei“, „Regierungsangaben“ → „Regierung“."""
    name = word[: -len("angaben")].rstrip("-")
    if name.endswith("s") and re.search(r"(?:ung|ium|heit|keit|schaft|tät|ion|amt)s$", name):
        name = name[:-1]
    return name


def _source_after(sentence: Sentence, j: int) -> Iterator[Candidate]:
    if sentence.low(j) in _SOURCE_NOUNS:
        yield from _source_noun(sentence, j)
        return
    phrase = sentence.phrase(j, oblique=True)
    if phrase:
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _source_noun(sentence: Sentence, j: int) -> Iterator[Candidate]:
    """After „nach“/„aus“: [einer] Angaben/Ansicht/Umfrage … des X / von X / aus X."""
    if sentence.low(j) in ("einer", "einem", "eigenen", "übereinstimmenden", "ersten", "den"):
        j += 1
    while sentence.is_adjective(j) and not sentence.tokens[j].cap:
        j += 1
    if sentence.low(j) not in _SOURCE_NOUNS:
        return
    j += 1
    low = sentence.low(j)
    if low in ("des", "der", "eines", "einer", "seines", "ihres"):
        phrase = sentence.phrase(j, oblique=True)
    elif low in ("von", "aus", "vom", "mehrerer", "mehrere"):
        k = j + 1
        if sentence.low(k) in ("mehreren", "mehrerer", "einigen", "zwei", "drei"):
            k += 1
        phrase = sentence.phrase(k, oblique=low != "mehrere")
    else:
        return
    if phrase:
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _source_before(sentence: Sentence, i: int) -> Iterator[Candidate]:
    """The dative phrase that ends right before „zufolge“."""
    for start in range(i - 1, max(sentence.first, i - 10) - 1, -1):
        phrase = sentence.phrase(start, oblique=True)
        if phrase and phrase.end == i and phrase.det in (None, "dem", "der", "den", "einem"):
            head = sentence.head_word(phrase)
            if head in _DOCUMENT_NOUNS or _INANIMATE_RE.search(head):
                continue
            yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)
            return
        if sentence.boundary(start):
            return


def _find_hiess_es(sentence: Sentence) -> Iterator[Candidate]:
    """„hieß es aus dem Ministerium“, „Im Kreml hieß es“, „heißt es in einem Papier des X“."""
    for i in range(sentence.first, sentence.n - 1):
        if sentence.low(i) not in ("hieß", "heißt") or sentence.low(i + 1) != "es":
            continue
        j = i + 2
        for _ in range(4):
            low = sentence.low(j)
            if low in (
                "weiter",
                "lediglich",
                "nur",
                "dazu",
                "zudem",
                "auf",
                "anfrage",
                "nachfrage",
            ):
                j += 1
                continue
            if low in ("in", "aus", "im", "bei", "beim", "von", "vom", "seitens"):
                found = list(_place_source(sentence, j))
                if found:
                    yield from found
                    return
                j = _skip_phrase(sentence, j + 1)
                continue
            break
        if i - 1 >= sentence.first:
            yield from _fronted_source(sentence, i)


def _place_source(sentence: Sentence, j: int) -> Iterator[Candidate]:
    low = sentence.low(j)
    oblique = low not in ("im", "beim", "vom")
    phrase = sentence.phrase(j + 1, oblique=True) if oblique else _contracted(sentence, j + 1)
    if phrase is None:
        return
    head = sentence.head_word(phrase)
    if head in _DOCUMENT_NOUNS or _INANIMATE_RE.search(head):
        genitive = phrase.head_end
        if sentence.low(genitive) in ("des", "der"):
            inner = sentence.phrase(genitive, oblique=True)
            if inner:
                yield from _subject_phrases(sentence, inner, _RANK_SOURCE)
        return
    if sentence.is_name_word(phrase.head_start) and not (
        phrase.det is None and low == "in" and not sentence.gazetteer.known(head)
    ):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)


def _contracted(sentence: Sentence, j: int) -> Phrase | None:
    """A phrase after „im“/„beim“/„vom“: dative masculine or neuter."""
    phrase = sentence.phrase(j, oblique=True)
    if phrase is not None and phrase.det is None:
        return replace(phrase, det="dem")
    return phrase


def _skip_phrase(sentence: Sentence, j: int) -> int:
    phrase = sentence.phrase(j)
    return phrase.end if phrase else j


def _fronted_source(sentence: Sentence, i: int) -> Iterator[Candidate]:
    """„Im Bundesfinanzministerium hieß es …“, „Aus der Partei hieß es …“."""
    start = i - 1
    while start > sentence.first and not sentence.boundary(start - 1) and i - start < 10:
        start -= 1
    if sentence.low(start) in ("in", "aus", "im", "bei", "beim", "von", "vom"):
        yield from _place_source(sentence, start)


def _find_reactions(sentence: Sentence) -> Iterator[Candidate]:
    """„Kritik kam von der Opposition“, „stößt beim Verband auf Ablehnung“, votes, passives."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low == "stimmen" and sentence.low(i + 1) in ("von", "der", "des"):
            j = i + 2 if sentence.low(i + 1) == "von" else i + 1
            phrase = sentence.phrase(j, oblique=True)
            if phrase:
                yield from _subject_phrases(sentence, phrase, _RANK_OTHER)
        elif low in ("von", "vom") and sentence.low(i - 1) not in ("nach", "angaben"):
            yield from _passive_agent(sentence, i)
    for start, end in _clauses(sentence):
        words = {t.low for t in sentence.tokens[start:end]}
        if not words & _REACTION_NOUNS:
            continue
        if words & _RECEIVE_VERBS:
            yield from _sources_in(sentence, start, end, ("von", "vom", "aus"))
            yield from _reaction_genitive(sentence, start, end)
        if words & _MEET_VERBS:
            yield from _sources_in(sentence, start, end, ("bei", "beim"))


def _clauses(sentence: Sentence) -> Iterator[tuple[int, int]]:
    """(start, end) of the stretches between boundary tokens."""
    start = sentence.first
    for i in range(sentence.first, sentence.n + 1):
        if i == sentence.n or sentence.tokens[i].text in _BOUNDARIES:
            if i > start:
                yield start, i
            start = i + 1


def _sources_in(
    sentence: Sentence, start: int, end: int, prepositions: tuple[str, ...]
) -> Iterator[Candidate]:
    for k in range(start, end):
        low = sentence.low(k)
        if low not in prepositions:
            continue
        contracted = low in ("vom", "beim")
        phrase = (
            _contracted(sentence, k + 1) if contracted else sentence.phrase(k + 1, oblique=True)
        )
        if phrase and phrase.end <= end:
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
            return


def _reaction_genitive(sentence: Sentence, start: int, end: int) -> Iterator[Candidate]:
    """„Eine Stellungnahme des Finanzministeriums gab es nicht.“"""
    for k in range(start, end - 1):
        if sentence.low(k) in _REACTION_NOUNS and sentence.low(k + 1) in ("des", "der"):
            phrase = sentence.phrase(k + 1, oblique=True)
            if phrase and (sentence.is_common(phrase) or sentence.is_person(phrase)):
                yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
                return


def _passive_agent(sentence: Sentence, i: int) -> Iterator[Candidate]:
    """„… wird von Moskau und Peking nicht anerkannt“: the agent of a stance participle."""
    phrase = (
        sentence.phrase(i + 1, oblique=True)
        if sentence.low(i) == "von"
        else _contracted(sentence, i + 1)
    )
    if phrase is None:
        return
    end = sentence.clause_end(phrase.end)
    nonfinite = _verbs().nonfinite
    participles = [k for k in range(phrase.end, end) if sentence.low(k) in nonfinite]
    passive = any(sentence.low(k) in _PASSIVE_AUX for k in range(max(0, i - 8), end))
    if participles and passive:
        yield from _subject_phrases(sentence, phrase, _RANK_OTHER)


def _find_own_account(sentence: Sentence) -> Iterator[Candidate]:
    """„Lufthansa strich nach eigenen Angaben …“: the subject reports, whatever its verb."""
    for i in range(sentence.first, sentence.n - 1):
        if sentence.low(i) == "eigenen" and sentence.low(i + 1) in _SOURCE_NOUNS:
            break
    else:
        return
    start = sentence.first
    phrase = sentence.phrase(start)
    if phrase is not None and _nominative(sentence, phrase) and sentence.is_name_word(start):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)
        return
    for k in range(start + 1, min(sentence.n, start + 12)):
        token = sentence.tokens[k]
        if token.word and not token.cap and token.low not in _FUNCTION_WORDS:
            after = sentence.phrase(_midfield_end(sentence, k + 1))
            if after is not None and _post_verbal_subject(sentence, after, "other"):
                yield from _subject_phrases(sentence, after, _RANK_SOURCE)
            return


def _find_opinion_holder(sentence: Sentence) -> Iterator[Candidate]:
    """„Für den Bund der Steuerzahler wäre das eine Belohnung …“."""
    j = sentence.first
    if sentence.low(j) != "für":
        return
    phrase = sentence.phrase(j + 1, oblique=True)
    if phrase is None or not (sentence.is_common(phrase) or sentence.is_person(phrase)):
        return
    if sentence.low(phrase.end) in ("ist", "sind", "wäre", "wären", "sei", "bleibt"):
        yield from _subject_phrases(sentence, phrase, _RANK_SOURCE)
