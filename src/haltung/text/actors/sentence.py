"""The sentence parser: capitalised name words and the noun phrases that can name an actor."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from haltung.text.actors.clauses import Clauses
from haltung.text.actors.lexicon import (
    _ABSTRACT_RE,
    _ADJECTIVE_RE,
    _DETERMINERS,
    _FUNCTION_WORDS,
    _INANIMATE_RE,
    _KONJUNKTIV,
    _LOWER_COMPOUND_RE,
    _MAX_NP,
    _MEDIA_RE,
    _NAME_PARTICLES,
    _NOMINATIVE_DETERMINERS,
    _NOT_PLACES,
    _NUMBER_WORDS,
    _ORG_RE,
    _PLACE_BODIES_RE,
    _PRONOUNS,
    _QUOTES_CLOSE,
    _ROLE_RE,
)
from haltung.text.actors.tokens import Phrase
from haltung.text.actors.verbs import _verbs

if TYPE_CHECKING:
    from haltung.text.actors.names import Gazetteer


class Sentence(Clauses):
    """One tokenised sentence and the parsing routines that work on it."""

    def __init__(
        self, text: str, gazetteer: Gazetteer, entities: dict[int, int], quoted: bool = False
    ):
        super().__init__(text, quoted)
        self.gazetteer = gazetteer
        self.entities = entities  # token index -> end of a named entity (spaCy, optional)
        self._np_cache: dict[tuple[int, bool | None], Phrase | None] = {}
        self.subject_verbs: set[int] = set()  # verbs whose subject stands before them

    # -- token tests ---------------------------------------------------------------------------

    def is_name_word(self, i: int) -> bool:
        """A capitalised word that can be part of a noun or a name."""
        if not 0 <= i < self.n:
            return False
        token = self.tokens[i]
        if not token.word:
            return False
        if not token.cap:
            return bool(_LOWER_COMPOUND_RE.match(token.text))
        if token.low in _FUNCTION_WORDS and not token.text.isupper() and self.capitalised_anyway(i):
            return False
        return not (token.low in _PRONOUNS or token.low in _DETERMINERS)

    def capitalised_anyway(self, i: int) -> bool:
        """Position where any word is capitalised: sentence start, after a colon or a quote."""
        return i <= self.first or self.tokens[i - 1].text in (":", "„", "»", "(", "–", '"', "‚")

    def polite(self, i: int) -> bool:
        """„Sie“ capitalised where a word need not be: the person addressed, not „sie“."""
        return 0 <= i < self.n and self.tokens[i].text == "Sie" and not self.capitalised_anyway(i)

    def is_adjective(self, i: int) -> bool:
        token = self.tokens[i] if 0 <= i < self.n else None
        if token is None or token.cap or not _ADJECTIVE_RE.match(token.text):
            return False
        verbs = _verbs()
        return not (
            token.low in _FUNCTION_WORDS
            or token.low in verbs.finite
            or token.low in verbs.nonfinite
            or token.low in _DETERMINERS
            or token.low in _KONJUNKTIV
        )

    # -- noun phrases --------------------------------------------------------------------------

    def phrase(self, i: int, oblique: bool = False, attributes: bool = True) -> Phrase | None:
        key = (i, oblique if attributes else None)
        if key not in self._np_cache:
            if attributes and not oblique:
                self._parse_appositions(i)
            else:
                self._np_cache[key] = self._parse_phrase(i, oblique, attributes)
        return self._np_cache[key]

    def _parse_appositions(self, i: int) -> None:
        """Parse the phrase at i and the phrases after its commas („A, B, C, …“, each a
        possible apposition of the one before) from the right: a long chain needs no deep
        recursion."""
        chain: list[tuple[int, Phrase | None]] = []
        k = i
        while (k, False) not in self._np_cache:
            phrase = self._parse_phrase(k, False, True, apposition=False)
            chain.append((k, phrase))
            if phrase is None or self.low(phrase.end) != ",":
                break
            k = phrase.end + 1
        for k, phrase in reversed(chain):
            if phrase is not None:
                self._apposition(phrase)
            self._np_cache[(k, False)] = phrase

    def _parse_phrase(
        self, i: int, oblique: bool, attributes: bool, *, apposition: bool = True
    ) -> Phrase | None:
        if not 0 <= i < self.n:
            return None
        j, det = i, None
        if self.low(j) in ("rund", "etwa", "mehr", "knapp", "fast", "über") and self._number(j + 1):
            j += 1
        if self._number(j) and (self.is_name_word(j + 1) or self.is_adjective(j + 1)):
            j += 1  # „18 jüngere Abgeordnete“, „Tausende Studierende“: the number is dropped
        if self.low(j) in _DETERMINERS:
            det, j = self.low(j), j + 1
            number = self.low(j)
            if (
                number in _NUMBER_WORDS
                or number in ("beiden", "anderen", "übrigen")
                or (number[:1].isdigit() and number.endswith("."))
            ):
                j += 1
        head_start = j
        while j - head_start < 3 and self.is_adjective(j) and self.is_name_word(j + 1):
            j += 1
        core = j
        j = self._core(j)
        if j == core:
            return None
        phrase = Phrase(i, j, det, head_start, j, oblique)
        if attributes:
            j = self._attributes(phrase)
            phrase.tail_end = j
            phrase.end = j
            if apposition:
                self._apposition(phrase)
        else:
            phrase.tail_end = j
        return phrase

    def _number(self, j: int) -> bool:
        low = self.low(j)
        return low[:1].isdigit() or low in _NUMBER_WORDS or low in ("tausende", "hunderte")

    def _core(self, j: int) -> int:
        """End of the capitalised nominal core starting at j (gazetteer names first)."""
        start = j
        while j < self.n and j - start < 8:
            step = self._core_step(j, start)
            if not step:
                break
            j = step
        return j

    def _core_step(self, j: int, start: int) -> int:
        """End of the next piece of a core at j, or 0 where the core ends."""
        if j in self.entities:
            return self.entities[j]
        known = self.gazetteer.match(self.tokens, j)
        if known:
            return known
        text, low = self.tokens[j].text, self.low(j)
        if self.is_name_word(j) or (text in ("Dr.", "Prof.") and self.is_name_word(j + 1)):
            return j + 1
        if low in ("van", "de", "da", "di", "al") and self.is_name_word(j + 1):
            return j + 1  # „van Doorn“
        if j == start:
            return 0
        return self._core_joint(j)

    def _core_joint(self, j: int) -> int:
        """End of a word inside a core that joins its parts (a title, a quoted name, a number, a
        name particle, „und“ after a truncated compound), or 0 where the core ends."""
        text, low = self.tokens[j].text, self.low(j)
        if text in ("Dr.", "Prof."):
            return j + 1
        if text == "„" and _ORG_RE.search(self.low(j - 1)):
            return self._quoted_name(j)
        follows = self.is_name_word(j + 1)
        nxt = self.tokens[j + 1].text if j + 1 < self.n else ""
        if low.isdigit() and self.is_name_word(j - 1) and nxt[:1].islower():
            return j + 1  # „SV Buer 1912“
        # „Haus- und Grundbesitzerverein“: a truncated compound joined by „und“.
        if self.tokens[j - 1].text.endswith("-") and low in ("und", "oder") and follows:
            return j + 1
        # „Vincent van Gogh“, „Save the Children“, „Justice for Myanmar“.
        if low in _NAME_PARTICLES and follows:
            return j + 1
        # „Dachverband entwicklungspolitischer Organisationen“, „Verband kommunaler Unternehmen“.
        adjective = re.fullmatch(r"[a-zäöüß-]+er", low) and low not in _FUNCTION_WORDS
        if _ORG_RE.search(self.low(j - 1)) and adjective and follows:
            return j + 1
        return 0

    def _quoted_name(self, j: int) -> int:
        """„Fanvereinigung „Donaufelder Kurve““: a quoted name after a noun."""
        for k in range(j + 1, min(self.n, j + 7)):
            if self.tokens[k].text in _QUOTES_CLOSE:
                return k + 1 if k > j + 1 else 0
            if not self.tokens[k].word:
                return 0
        return 0

    def head_word(self, phrase: Phrase) -> str:
        return self.tokens[phrase.head_end - 1].low

    def core_words(self, phrase: Phrase) -> list[str]:
        return [t.low for t in self.tokens[phrase.head_start : phrase.head_end]]

    def is_common(self, phrase: Phrase) -> bool:
        """The core has a role or institution noun (it can take a genitive attribute)."""
        words = self.core_words(phrase)
        if any(_ROLE_RE.search(w) or _ORG_RE.search(w) for w in words):
            return True
        return self.gazetteer.known(" ".join(words))

    def is_institution(self, phrase: Phrase) -> bool:
        words = self.core_words(phrase)
        if any(_ROLE_RE.search(w) for w in words):
            return False
        return any(_ORG_RE.search(w) for w in words) or self.gazetteer.known(" ".join(words))

    def _attributes(self, phrase: Phrase) -> int:
        """Extend over genitive, „von“, „für“ and place attributes: „Sprecher des Auswärtigen
        Amts“, „Oberbürgermeister von zwölf Ruhrgebietsstädten“, „Grüne im Duisburger Rat“."""
        j = phrase.head_end
        common = self.is_common(phrase) or (phrase.det is not None and not phrase.oblique)
        person = self.is_person(phrase)
        for _ in range(3):
            end = 0
            low = self.low(j)
            if common and low in ("des", "der", "eines", "einer", "mehrerer"):
                end = self._genitive(j, phrase)
            elif common and low == "für" and self.is_name_word(j + 1):
                end = self._core(j + 1)
                if self.low(end) == "und" and self.is_name_word(end + 1):
                    end = self._core(end + 1)
            elif low in ("von", "vom"):
                end = self._von(j)
            elif not (person and self._has_name(phrase)):
                end = self._place(j, institution=True)
            if not end or end - phrase.start > _MAX_NP:
                break
            j = end
        return j

    def _genitive(self, j: int, phrase: Phrase) -> int:
        inner = self.phrase(j, oblique=True, attributes=False)
        if inner is None or self.is_media(inner):
            return 0
        return inner.end

    def _von(self, j: int) -> int:
        """End of „von der Frankfurt School“, „von zwölf Ruhrgebietsstädten“, „von der Leyen“."""
        k = j + 1
        if self.low(j) == "von" and self.low(k) in ("der", "den", "dem"):
            k += 1
        if self.low(k) in _NUMBER_WORDS or self.low(k).isdigit():
            k += 1
        while self.is_adjective(k) and k - j < 4:
            k += 1
        if not self.is_name_word(k):
            return 0
        end = self._core(k)
        return end if end - j <= 6 else 0

    def _place(self, j: int, institution: bool) -> int:
        """End of „in Taipeh“, „aus Schleswig-Holstein“ (institutions), „im Landtag“."""
        low = self.low(j)
        if institution and low in ("in", "aus") and self._place_name(j + 1):
            end = self._core(j + 1)
            return end if end - j <= 4 else 0
        article = self.low(j + 1) in ("dem", "der", "den")
        if institution and low == "aus" and article and self._place_name(j + 2):
            end = self._core(j + 2)
            return end if end - j <= 5 else 0
        if institution and low in ("bei", "beim"):
            k = j + 2 if self.low(j + 1) in ("den", "der", "dem") else j + 1
            known = self.gazetteer.match(self.tokens, k) if k < self.n else 0
            if known or (k < self.n and self.gazetteer.known(self.low(k))):
                return known or k + 1
        if low in ("im", "in") and (low == "im" or self.low(j + 1) in ("der", "den")):
            k = j + 1 if low == "im" else j + 2
            while self.is_adjective(k) or (self.is_name_word(k) and self.is_name_word(k + 1)):
                k += 1
            if self.is_name_word(k) and _PLACE_BODIES_RE.search(self.tokens[k].low):
                return k + 1
        return 0

    def _place_name(self, k: int) -> bool:
        """A capitalised word that can name a place (not „Schweigen“, „Sorge“, „Zukunft“)."""
        if not self.is_name_word(k):
            return False
        low = self.low(k)
        if self.gazetteer.known(low):
            return True
        return not (low in _NOT_PLACES or _ABSTRACT_RE.search(low))

    def _apposition(self, phrase: Phrase) -> None:
        """„Die Präsidentin der Wirtschaftsvereinigung Stahl, Dr. Claudia Neuhaus, …“."""
        j = phrase.end
        if self.low(j) != "," or phrase.oblique:
            return
        common = self.is_common(phrase) or phrase.det is not None
        inner = self.phrase(j + 1, oblique=False, attributes=True)
        if inner is None or inner.end - phrase.start > _MAX_NP + 6:
            return
        if self.low(inner.end) not in (",",) and not self.boundary(inner.end):
            return
        inner_common = self.is_common(inner)
        name_only = (
            inner.det is None and not inner_common and inner.head_end - inner.head_start >= 2
        )
        role_with_name = inner_common and inner.det is None and inner.head_start < inner.head_end
        if common:
            joined = name_only or (inner.det is not None and self._has_name(inner))
        else:  # „Vedant Patel, stellvertretender Hauptsprecher des US-Außenministeriums, …“
            joined = role_with_name and self.is_name_phrase(phrase)
        if joined:
            phrase.apposition, phrase.end = inner, inner.end

    def _has_name(self, phrase: Phrase) -> bool:
        """A role followed by a personal name: „CDU-Europaabgeordnete Thomas Weigel“."""
        words = self.tokens[phrase.head_start : phrase.head_end]
        return len(words) >= 2 and not _ROLE_RE.search(words[-1].low)

    def is_name_phrase(self, phrase: Phrase) -> bool:
        words = self.tokens[phrase.head_start : phrase.head_end]
        if not all(w.cap for w in words if w.word and w.low not in _NAME_PARTICLES):
            return False
        return (
            phrase.det is None
            and len(words) >= 2
            and not any(_ROLE_RE.search(w.low) or _ORG_RE.search(w.low) for w in words)
        )

    def is_media(self, phrase: Phrase) -> bool:
        if self.gazetteer.match(self.tokens, phrase.head_start):
            return False
        return any(
            _MEDIA_RE.search(t.low) for t in self.tokens[phrase.head_start : phrase.head_end]
        )

    def is_inanimate(self, phrase: Phrase) -> bool:
        nouns = [t.low for t in self.tokens[phrase.head_start : phrase.head_end] if t.cap]
        return bool(nouns and _INANIMATE_RE.search(nouns[0])) and not self.is_common(phrase)

    def is_person(self, phrase: Phrase) -> bool:
        words = self.tokens[phrase.head_start : phrase.head_end]
        if any(_ROLE_RE.search(w.low) for w in words):
            return True
        return self.is_name_phrase(phrase)

    def coordinated(self, phrase: Phrase) -> list[Phrase]:
        """„Grüne und Linke“, „der Caritasverband und die Diakonie“ as separate phrases."""
        phrases = [phrase]
        j = phrase.end
        while len(phrases) < 4 and self.low(j) in ("und", "sowie", ","):
            nxt = self.phrase(j + 1)
            if nxt is None or nxt.det not in (None, *_NOMINATIVE_DETERMINERS):
                break
            if self.low(j) == "," and self.low(nxt.end) not in ("und", "sowie", ","):
                break
            if self._one_person(phrases[-1], nxt):
                merged = Phrase(phrase.start, nxt.end, phrase.det, phrase.head_start, nxt.head_end)
                merged.tail_end, merged.oblique = nxt.tail_end, phrase.oblique
                return [merged]
            phrases.append(nxt)
            j = nxt.end
        return phrases

    def _one_person(self, first: Phrase, second: Phrase) -> bool:
        """„die Intensivpflegerin und Streikdelegierte Maren Oltmanns“: two roles, one name."""
        return (
            first.head_end - first.head_start == 1
            and bool(_ROLE_RE.search(self.head_word(first)))
            and second.det is None
            and self._has_name(second)
        )
