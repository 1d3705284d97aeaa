"""The document pass: what each sentence signals (a heading, a quotation, reported speech) and
the resolver that gives quote-only sentences, pronoun subjects („er“, „sie“) and reported speech
in Konjunktiv I the speaker of the neighbouring sentences."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

from haltung.text.actors.forms import _candidate, _compatible
from haltung.text.actors.lexicon import _DETERMINERS, _KONJUNKTIV, _QUOTES_CLOSE, _QUOTES_OPEN
from haltung.text.actors.names import _contains, normalise_actor
from haltung.text.actors.sentence import Sentence
from haltung.text.actors.tokens import _RANK_OTHER, Candidate

# a colon introduces what follows (a quotation, a list): not a heading
_HEADING_END_RE = re.compile(r"[.!?…:][\"“”»«’‘)]*\s*$")


@dataclass(slots=True)
class Analysis:
    """What one sentence says by itself."""

    actors: list[Candidate]
    pronoun: str | None = None  # gender of an „er“/„sie“ subject of a stance verb
    quote_only: bool = False  # „…“ with nothing but punctuation after the quotation
    quote_start: bool = False  # begins with an opening quotation mark
    quote_opened: bool = False  # ends inside an open quotation
    quote_closed: bool = False  # has a closing quotation mark
    quote_continued: bool = False  # its first quotation mark closes one opened before
    attribution_only: bool = False  # „Das sagte Rutte am Donnerstag.“
    reported: bool = False  # Konjunktiv I, „man“, „hieß es“ without a source
    heading: bool = False
    there: bool = False  # „Dort hieß es …“: the institution named in the sentence before
    sentence: Sentence | None = None


@dataclass(slots=True, eq=False)
class Speaker:
    """An actor seen earlier in the document: its fullest mention (the first of the longest),
    the distinct normalised forms of its mentions and its grammatical features."""

    fullest: str
    gender: str | None = None
    person: bool = False
    keys: set[str] = field(default_factory=set)
    stamp: int = 0  # when it was last mentioned

    def matches(self, key: str) -> bool:
        """A mention (normalised) names this speaker: one name contains the other as whole
        words, or both end in the same word of more than three letters."""
        last = _last(key)
        return any(_contains(key, k) or (_last(k) == last and len(last) > 3) for k in self.keys)


def _last(key: str) -> str:
    """The last word of a normalised name ('' for '')."""
    return key.rsplit(" ", 1)[-1]


def _is_heading(text: str) -> bool:
    """No sentence-final punctuation: a heading, caption or boilerplate line."""
    return not _HEADING_END_RE.search(text[-20:])


def _quote_state(sentence: Sentence) -> dict[str, bool]:
    """Where the sentence stands in a quotation: whether it closes one, ends inside one, or is
    nothing but one („…“ with only punctuation after it)."""
    inside, closes, closed_at, continues = False, False, None, None
    tokens = sentence.tokens[sentence.first :]
    for k, token in enumerate(tokens):
        if token.text in _QUOTES_OPEN:
            inside = True
            continues = False if continues is None else continues
        elif token.text in _QUOTES_CLOSE:
            inside, closes = False, True
            closed_at = k if closed_at is None else closed_at
            continues = True if continues is None else continues
    start = bool(tokens) and tokens[0].text in _QUOTES_OPEN
    rest = tokens[closed_at + 1 :] if closed_at is not None else []
    return {
        "quote_only": start and not any(t.word for t in rest),
        "quote_start": start,
        "quote_opened": inside,
        "quote_closed": closes,
        "quote_continued": bool(continues),
    }


def _says_there(sentence: Sentence) -> bool:
    """„Dort hieß es, …“."""
    words = [t.low for t in sentence.tokens[sentence.first :]]
    return "dort" in words and ("hieß" in words or "heißt" in words)


def _institutions(analysis: Analysis) -> list[str]:
    """Institutions named anywhere in a sentence („… fragte beim Ministerium nach“)."""
    sentence = analysis.sentence
    if sentence is None:
        return []
    found = []
    k = sentence.first
    while k < sentence.n:
        phrase = (
            sentence.phrase(k, oblique=True)
            if sentence.is_name_word(k) or (sentence.low(k) in _DETERMINERS)
            else None
        )
        if phrase is not None and sentence.is_institution(phrase):
            candidate = _candidate(sentence, phrase, _RANK_OTHER)
            if candidate:
                found.append(candidate.text)
            k = phrase.end
            continue
        k += 1
    return found


def _attribution_only(sentence: Sentence) -> bool:
    """„Das sagte Rutte am Donnerstag.“, „So äußerte sich Fuchs nach der Abstimmung.“."""
    j = sentence.first
    return sentence.low(j) in ("das", "dies", "so", "damit") and sentence.stance_verb(j + 1)


def _reported(sentence: Sentence) -> bool:
    """Reported speech with no speaker of its own: Konjunktiv I, „man“, a bare „hieß es“."""
    words = {t.text for t in sentence.tokens[sentence.first :]}
    if words & _KONJUNKTIV:
        return True
    return bool({"man", "Man"} & words) or ("hieß" in words and "es" in words)


class Resolver:
    """The document pass: quotes, pronouns and reported speech take a neighbour's speaker."""

    def __init__(self, analyses: list[Analysis]):
        self.analyses = analyses
        self.speakers: dict[int, Speaker] = {}  # by id, least recently mentioned first
        # the speakers with a word among the words, or as the last word, of their mentions
        self._by_word: defaultdict[str, set[int]] = defaultdict(set)
        self._by_last: defaultdict[str, set[int]] = defaultdict(set)
        self._clock = 0
        self.previous: list[str] = []  # the actors of the sentence before, as resolved
        self.inside_quote = False

    def resolve(self) -> list[list[str]]:
        result = []
        for i, analysis in enumerate(self.analyses):
            actors = self._actors(i, analysis)
            if analysis.heading:
                self.inside_quote = False
            elif analysis.quote_opened or analysis.quote_closed:
                self.inside_quote = analysis.quote_opened
            result.append(actors)
            self.previous = actors
        return result

    def _actors(self, i: int, analysis: Analysis) -> list[str]:
        if analysis.heading:
            return []
        if analysis.actors:
            return [self._remember(candidate) for candidate in analysis.actors]
        if analysis.pronoun:
            speaker = self._antecedent(analysis.pronoun)
            if speaker:
                return [speaker.fullest]
        if analysis.there and i > 0:
            named = _institutions(self.analyses[i - 1])
            if named:
                return named[-1:]
        quoted = self._quoted_speaker(i, analysis)
        if quoted:
            return quoted
        if analysis.reported and self.previous:
            return self.previous[:1]
        return []

    def _quoted_speaker(self, i: int, analysis: Analysis) -> list[str]:
        """Inside a quotation: the speaker named where it closes, else the one before."""
        if not (analysis.quote_only or (self.inside_quote and not analysis.quote_start)):
            return []
        still_open = analysis.quote_opened or (self.inside_quote and not analysis.quote_closed)
        following = self._following_speaker(i, still_open)
        return following or self.previous[:1]

    def _following_speaker(self, i: int, still_open: bool) -> list[str]:
        """The speaker named where the quotation closes or in a following attribution."""
        for k in range(i + 1, min(len(self.analyses), i + 4)):
            nxt = self.analyses[k]
            if nxt.heading:
                return []
            closes_it = nxt.quote_continued or (still_open and nxt.quote_start)
            if nxt.actors and (nxt.attribution_only or (closes_it and nxt.quote_closed)):
                return [nxt.actors[0].text]
            if not still_open or nxt.quote_closed or nxt.quote_start:
                return []
        return []

    def _remember(self, candidate: Candidate) -> str:
        """Add a mention to the most recent speaker it names, or start a new speaker; return
        the mention. Only speakers that share a word with it are compared (a name containing
        another, or ending in the same word, shares a word with it), so a document's mentions
        take linear time."""
        key = normalise_actor(candidate.text)
        words = key.split(" ")
        ids = set(self._by_word.get(words[-1], ()))
        for word in words:
            ids.update(self._by_last.get(word, ()))
        matching = [s for s in (self.speakers[i] for i in ids) if s.matches(key)]
        self._clock += 1
        if matching:
            speaker = max(matching, key=lambda s: s.stamp)
            if len(candidate.text) > len(speaker.fullest):
                speaker.fullest = candidate.text
            speaker.gender = speaker.gender or candidate.gender
            speaker.person = speaker.person or candidate.person
            del self.speakers[id(speaker)]
        else:
            speaker = Speaker(candidate.text, candidate.gender, candidate.person)
        speaker.stamp = self._clock
        self.speakers[id(speaker)] = speaker
        if key not in speaker.keys:
            speaker.keys.add(key)
            for word in words:
                self._by_word[word].add(id(speaker))
            self._by_last[words[-1]].add(id(speaker))
        return candidate.text

    def _antecedent(self, pronoun: str) -> Speaker | None:
        """The most recent speaker an „er“ (m) or „sie“ (f, plural) can refer to."""
        recent = list(islice(reversed(self.speakers.values()), 4))
        for speaker in recent:
            if _compatible(speaker.gender, pronoun):
                return speaker
        return recent[0] if recent else None
