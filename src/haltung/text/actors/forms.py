"""Writing an actor as the annotation guidelines ask: nominative, no article; its gender.

An actor is written as in the text with its role attached, the leading article dropped and the
nominative restored („nach Angaben des Statistischen Bundesamts“ → „Statistisches Bundesamt“).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from haltung.text.actors.lexicon import (
    _ARTICLES,
    _CAP_ADJECTIVE_RE,
    _FEMININE_RE,
    _FUNCTION_WORDS,
    _NEUTER_RE,
    _NOMINALISED_RE,
    _ORG_RE,
    _QUOTES,
    _ROLE_RE,
)
from haltung.text.actors.names import _SPACE_RE, normalise_actor
from haltung.text.actors.tokens import Candidate, Phrase

if TYPE_CHECKING:
    from haltung.text.actors.sentence import Sentence

_ADJ_ENDING_RE = re.compile(r"(?:en|er|es|em|e)$")


def _gender(word: str) -> str:
    """Grammatical gender guessed from a noun's ending: "m", "f" or "n"."""
    if _NEUTER_RE.search(word):
        return "n"
    if _FEMININE_RE.search(word) and not word.endswith(("ein", "stein", "rin")):
        return "f"
    if word.endswith("rin") or (word.endswith("in") and len(word) > 5 and not word.endswith("ein")):
        return "f"
    return "m"


def _gender_of(det: str | None, oblique: bool, head: str, plural: bool) -> str:
    """Gender ("m", "f", "n") or plural ("p") of a phrase, from its determiner and head noun."""
    gender = _gender(_noun_nominative(head, det, "m"))
    if det in (None, "ein", "kein", "ihr", "sein", "unser"):
        return "p" if plural and det is None else gender
    if det in ("der", "dieser", "jener", "jeder", "ihrer", "seiner", "einer", "keiner"):
        if oblique or det in ("ihrer", "seiner", "einer", "keiner"):
            return "p" if plural else "f"
        return "m"
    if det in ("die", "diese", "ihre", "seine", "eine", "keine", "unsere", "beide", "alle"):
        return "p" if plural else "f"
    if det in ("das", "dieses"):
        return "n"
    if det in ("den", "denen", "diesen", "ihren", "seinen", "einen", "keinen", "beiden"):
        return "p" if plural or oblique else "m"
    return gender if gender != "f" else "m"  # des, dem, eines, einem, …


_STRONG_ENDING = {"m": "er", "f": "e", "n": "es", "p": "e"}


def _adjective_nominative(word: str, gender: str) -> str:
    stem = _ADJ_ENDING_RE.sub("", word)
    return stem + _STRONG_ENDING[gender]


def _noun_nominative(word: str, det: str | None, gender: str) -> str:
    """Undo a genitive -s/-es (after „des“) or a dative plural -n („aus Regierungskreisen“)."""
    if det is None and word.endswith("kreisen"):
        return word[:-1]
    genitive = det in ("des", "eines", "keines", "ihres", "seines", "unseres")
    if genitive and gender in ("m", "n") and len(word) > 4 and word.endswith("s"):
        if word.endswith("es") and re.search(r"[^aeiouäöü][bdgkt]es$|(?:tag|rat|bund)es$", word):
            return word[:-2]
        if not word.endswith(("us", "is", "as", "os", "es")) and not word.isupper():
            return word[:-1]
    return word


def _written(sentence: Sentence, phrase: Phrase) -> str:
    """The phrase as the guidelines write an actor: no article, nominative."""
    tokens, text = sentence.tokens, sentence.text
    replacements = _nominative_forms(sentence, phrase)
    pieces, cursor = [], tokens[phrase.head_start].start
    for k in range(phrase.head_start, phrase.tail_end):
        if k in replacements:
            pieces.append(text[cursor : tokens[k].start])
            pieces.append(replacements[k])
            cursor = tokens[k].end
    pieces.append(text[cursor : tokens[phrase.tail_end - 1].end])
    result = "".join(pieces)
    if phrase.apposition is not None:
        result = f"{result}, {_written(sentence, phrase.apposition)}"
    return _SPACE_RE.sub(" ", result).strip()


def _nominative_forms(sentence: Sentence, phrase: Phrase) -> dict[int, str]:
    """Replacement words that put the core in the nominative without an article:
    adjectives take the strong ending („das chinesische Außenministerium“ → „chinesisches
    Außenministerium“), the head noun loses a genitive -s („des Bundesamts“ → „Bundesamt“)."""
    if phrase.det is None and not phrase.oblique:
        return {}
    tokens = sentence.tokens
    end = phrase.head_end
    for k in range(phrase.head_start + 1, phrase.head_end):
        if tokens[k].low in _ARTICLES or tokens[k].text in _QUOTES:
            end = k  # „Bund der Steuerzahler“, „Initiative „Zittau zusammen““: leave the rest
            break
    noun = phrase.head_start
    while noun < end - 1 and _is_prenominal(sentence, noun):
        noun += 1
    head = _head_noun(sentence, phrase.head_start, end, noun)
    gender = _gender_of(phrase.det, phrase.oblique, tokens[head].low, _plural(sentence, phrase))
    replacements = {
        k: _adjective_nominative(tokens[k].text, gender) for k in range(phrase.head_start, noun)
    }
    for k in range(noun, end):
        if tokens[k].cap and _NOMINALISED_RE.search(tokens[k].low):
            replacements[k] = _adjective_nominative(tokens[k].text, gender)
    if head not in replacements and (
        head != noun or not sentence.is_person(phrase) or (_ROLE_RE.search(tokens[head].low))
    ):
        replacements[head] = _noun_nominative(tokens[head].text, phrase.det, gender)
    return replacements


def _is_prenominal(sentence: Sentence, k: int) -> bool:
    """An adjective before the noun: lower case, or a capitalised one („Deutsche Bundesbank“)."""
    token = sentence.tokens[k]
    if not token.cap:
        return sentence.is_adjective(k)
    return bool(_CAP_ADJECTIVE_RE.match(token.text)) and not (
        _ROLE_RE.search(token.low) or _ORG_RE.search(token.low)
    )


def _head_noun(sentence: Sentence, start: int, end: int, noun: int) -> int:
    """The role or institution noun of the core („Branchenverbands Silicon Saxony“), else the
    first noun."""
    for k in range(noun, end):
        low = sentence.tokens[k].low
        if _ROLE_RE.search(low) or _ORG_RE.search(_noun_nominative(low, "des", "m")):
            return k
    return noun


def _plural(sentence: Sentence, phrase: Phrase) -> bool:
    """„die Vereinten Nationen“, „die Grünen“: a plural after a determiner."""
    core = sentence.tokens[phrase.head_start : phrase.head_end]
    if phrase.det is None:
        return phrase.oblique
    if phrase.det not in ("die", "der", "den", "ihre", "seine", "diese", "alle", "beide"):
        return False
    if any(t.low.endswith("en") for t in core[:-1]):
        return True
    last = core[-1].low
    return bool(_NOMINALISED_RE.search(last)) and last.endswith("en")


def _candidate(sentence: Sentence, phrase: Phrase, rank: int) -> Candidate | None:
    if sentence.is_media(phrase) or sentence.is_inanimate(phrase):
        return None
    text = _written(sentence, phrase)
    if not text or normalise_actor(text) in _FUNCTION_WORDS:
        return None
    head = sentence.head_word(phrase)
    gender = _phrase_gender(sentence, phrase, head)
    return Candidate(text, rank, phrase.start, gender, sentence.is_person(phrase))


def _phrase_gender(sentence: Sentence, phrase: Phrase, head: str) -> str | None:
    nouns = [w for w in sentence.core_words(phrase) if _ORG_RE.search(w) or _ROLE_RE.search(w)]
    if nouns and not _ROLE_RE.search(nouns[-1]):
        head = nouns[-1]
    if phrase.det in ("der",) and not phrase.oblique:
        return "m"
    if phrase.det in ("das",):
        return "n"
    if phrase.det in ("die",) and head.endswith(("en", "e")) and not head.endswith("in"):
        words = sentence.tokens[phrase.head_start : phrase.head_end]
        if any(t.low.endswith("en") for t in words) and not _FEMININE_RE.search(head):
            return "p"
    words = sentence.tokens[phrase.head_start : phrase.head_end]
    roles = [w.low for w in words if _ROLE_RE.search(w.low)]
    if roles:
        if roles[-1].endswith(("in", "innen")):
            return "f"
        return None if roles[-1].endswith(("mitglied", "vize", "chef")) else "m"
    if sentence.is_name_phrase(phrase):
        return None
    return _gender(head)


def _subject_phrases(sentence: Sentence, phrase: Phrase, rank: int) -> Iterator[Candidate]:
    for part in sentence.coordinated(phrase):
        found = _candidate(sentence, part, rank)
        if found:
            yield found


def _compatible(gender: str | None, pronoun: str | None) -> bool:
    """Can „er“ ("m") or „sie“ ("f", also plural) refer to a phrase of this gender?"""
    if gender is None:
        return True
    return gender == "m" if pronoun == "m" else gender in ("f", "p")
