"""Finders of subjects: the subject of a speech or stance verb, before or after the verb, in a
main or a subordinate clause („Die Gewerkschaft lehnt … ab“, „…, sagte Rutte“, „wie ein Sprecher
sagte“), and a fallback subject of any verb."""

from __future__ import annotations

import re
from collections.abc import Iterator

from haltung.text.actors.forms import _subject_phrases
from haltung.text.actors.lexicon import (
    _ADVERB_RE,
    _ATTRIBUTE_PREPOSITIONS,
    _CAP_ADJECTIVE_RE,
    _DETERMINERS,
    _FOCUS_WORDS,
    _FUNCTION_WORDS,
    _KONJUNKTIV,
    _MAX_NP,
    _MIDFIELD,
    _NOMINATIVE_DETERMINERS,
    _ORG_RE,
    _PRONOUNS,
    _QUOTES,
    _RELATIVES,
    _ROLE_RE,
    _SUBJECT_ADVERBS,
    _SUBORDINATORS,
)
from haltung.text.actors.sentence import Sentence
from haltung.text.actors.tokens import (
    _RANK_ATTRIBUTION,
    _RANK_CLAUSE,
    _RANK_FALLBACK,
    _RANK_SUBJECT,
    Candidate,
    Phrase,
)
from haltung.text.actors.verbs import _AUXILIARIES, _MODALS, _PASSIVE_AUX, _PLAIN_VERBS, _verbs


def _clause_starts(sentence: Sentence) -> Iterator[tuple[int, bool]]:
    """Token indices where a main clause may begin, and whether a conjunction precedes."""
    yield sentence.first, False
    for i in range(sentence.first, sentence.n):
        text = sentence.tokens[i].text
        if text in (";", ":", "–", "—", ","):
            yield i + 1, False
        elif sentence.low(i) in ("und", "aber", "sondern", "doch", "denn") and not (
            sentence.tokens[i - 1].text.endswith("-")  # „Nord- und Süd-Kivu“
        ):
            yield i + 1, True


def _skip_inserts(sentence: Sentence, j: int) -> int:
    """Skip a parenthesis, a relative clause, an apposition, „wie …“/„als …“ or a focus adverb
    between a subject and its verb."""
    for _ in range(4):
        low = sentence.low(j)
        if low in _SUBJECT_ADVERBS:
            j += 1
            continue
        skipped = _comparison_end(sentence, j) or _parenthesis_end(sentence, j)
        if skipped:
            j = skipped
            continue
        if low == "," and sentence.stance_verb(j + 1):
            return j + 1  # the comma closing an apposition
        if low == ",":
            end = _insert_end(sentence, j + 1)
            if end:
                j = end
                continue
        break
    return j


def _comparison_end(sentence: Sentence, j: int) -> int:
    """End of „wie die Grünen“, „als Vorsitzender“ at j (no stance verb right after), else 0."""
    if sentence.low(j) in ("wie", "als") and not sentence.stance_verb(j + 1):
        inner = sentence.phrase(j + 1, oblique=True)
        if inner is not None:
            return sentence.coordinated(inner)[-1].end
    return 0


def _parenthesis_end(sentence: Sentence, j: int) -> int:
    """Index after a short parenthesis „( … )“ opened at j, else 0."""
    if sentence.low(j) != "(":
        return 0
    k = j + 1
    while k < sentence.n and k - j < 12 and sentence.low(k) != ")":
        k += 1
    return k + 1 if sentence.low(k) == ")" else 0


def _insert_end(sentence: Sentence, j: int) -> int:
    """After a relative clause or apposition from j: the verb following its closing comma."""
    for k in range(j, min(sentence.n, j + 35)):
        text = sentence.tokens[k].text
        if text in (";", ":", ".", "!", "?"):
            return 0
        if text == "," and sentence.stance_verb(k + 1):
            return k + 1
    return 0


def _find_subjects(sentence: Sentence) -> Iterator[Candidate]:
    """Pre-verbal subjects: „Die Gewerkschaft lehnt die Pläne ab“, „Er warnte …“."""
    for start, conjunction in _clause_starts(sentence):
        j = start
        while sentence.low(j) in _FOCUS_WORDS and j < sentence.n:
            j += 1
        if sentence.low(j) in _PRONOUNS:
            if not sentence.polite(j) and _pronoun_subject(sentence, start, j):
                sentence.subject_verbs.add(j + 1)
                yield Candidate("", _RANK_SUBJECT, j, pronoun=_PRONOUNS[sentence.low(j)])
            continue
        phrase = sentence.phrase(j)
        if phrase is None or not _nominative(sentence, phrase):
            continue
        phrase = _with_attribute(sentence, phrase)
        end = sentence.coordinated(phrase)[-1].end
        verb = end if conjunction else _skip_inserts(sentence, end)
        if sentence.low(verb) in _KONJUNKTIV or not _agrees(sentence, phrase, verb):
            continue
        if verb in sentence.subject_verbs:
            continue  # an apposition: „Die Domowina, der Dachverband der Sorben, setzt …“
        if sentence.stance_verb(verb) and not _fronted_object(sentence, phrase, verb):
            sentence.subject_verbs.add(verb)
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)


def _nominative(sentence: Sentence, phrase: Phrase) -> bool:
    """The phrase can be a subject: no oblique determiner („dem“, „des“, „der internationalen“)."""
    if phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return False
    if phrase.det == "der" and phrase.head_start < phrase.head_end:
        first = sentence.tokens[phrase.head_start]
        return not (
            first.low.endswith("en")
            and (
                sentence.is_adjective(phrase.head_start)
                or (
                    first.cap
                    and _CAP_ADJECTIVE_RE.match(first.text)
                    and phrase.head_end - phrase.head_start > 1
                )
            )
        )
    return True


def _agrees(sentence: Sentence, phrase: Phrase, verb: int) -> bool:
    """Reject a singular subject with a plural verb („… und Weltbank haben …“)."""
    plural_verb = sentence.low(verb) in _verbs().plural
    if not plural_verb or len(sentence.coordinated(phrase)) > 1:
        return True
    if phrase.det in ("der", "das", "ein", "eine", "kein", "ihr", "sein"):
        return False
    head = sentence.head_word(phrase)
    return not (phrase.det is None and _ORG_RE.search(head) and not head.endswith(("en", "e", "s")))


def _with_attribute(sentence: Sentence, phrase: Phrase) -> Phrase:
    """„Hilfsorganisationen in den Lagern befürchten …“: a prepositional phrase between a
    subject and its finite verb belongs to the subject."""
    if phrase.apposition is not None or sentence.low(phrase.end) not in _ATTRIBUTE_PREPOSITIONS:
        return phrase
    inner = sentence.phrase(phrase.end + 1, oblique=True, attributes=False)
    if inner is None or inner.end - phrase.start > _MAX_NP:
        return phrase
    verb = inner.end
    token = sentence.tokens[verb] if verb < sentence.n else None
    if token is None or token.cap or not token.word or token.low in _FUNCTION_WORDS:
        return phrase
    if not (sentence.stance_verb(verb) or token.low in _verbs().finite):
        return phrase
    extended = Phrase(phrase.start, inner.end, phrase.det, phrase.head_start, phrase.head_end)
    extended.oblique, extended.tail_end = phrase.oblique, inner.end
    return extended


def _pronoun_subject(sentence: Sentence, start: int, j: int) -> bool:
    """„Er warnte …“, „Sie sei …“; at the start of a sentence any verb will do."""
    if sentence.stance_verb(j + 1) or _is_konjunktiv(sentence, j + 1):
        return True
    nxt = sentence.tokens[j + 1] if j + 1 < sentence.n else None
    if nxt is None or not nxt.word or nxt.cap or nxt.low in _PLAIN_VERBS:
        return False
    return start == sentence.first


def _fronted_object(sentence: Sentence, phrase: Phrase, verb: int) -> bool:
    """„Konkrete Zusagen machte sie …“, „Berichte … wollte er …“: the phrase is an object."""
    after = _midfield_end(sentence, verb + 1)
    if sentence.low(after) == "er":
        return True
    single = phrase.det is None and phrase.head_end - phrase.head_start == 1
    adverb = single and _ADVERB_RE.search(sentence.low(phrase.head_start))
    if adverb and sentence.low(after) in ("der", "die", "das", "ein", "eine"):
        return True  # „Skeptischer äußerte sich die Organisation …“
    if phrase.det in (None, "die", "das") and sentence.low(after) in ("der", "sie"):
        first = sentence.low(phrase.head_start)
        return phrase.det is None and bool(re.search(r"[a-zäöüß](?:e|en)$", first))
    return False


def _find_inverted(sentence: Sentence) -> Iterator[Candidate]:
    """Subjects after the verb: „…, sagte Rutte“, „Das erklärte …“, „Zu Details gab sich …“."""
    verbs = _verbs()
    for i in range(sentence.first + 1, sentence.n):
        low = sentence.low(i)
        if not (
            low in verbs.finite or low in _MODALS or low in _AUXILIARIES or low in _PASSIVE_AUX
        ):
            continue
        order = _fronted(sentence, i)
        if i in sentence.subject_verbs or not sentence.stance_verb(i):
            continue
        if sentence.low(i - 1) in ("und", ",", "aber", "sondern") and order != "clause":
            yield from _shared_subject(sentence, i)
            continue
        j = _midfield_end(sentence, i + 1)
        pronoun = sentence.low(j)
        if order == "subject" and pronoun != "er":
            continue
        if pronoun in _PRONOUNS:
            if sentence.polite(j):
                continue  # „…, sagten Sie“: the person addressed
            if order != "ambiguous" or pronoun == "er" or sentence.low(i + 1) == "sie":
                yield Candidate("", _RANK_ATTRIBUTION, j, pronoun=_PRONOUNS[pronoun])
            continue
        phrase = sentence.phrase(j)
        if phrase is None or not _post_verbal_subject(sentence, phrase, order):
            continue
        if sentence.tokens[i].text in _KONJUNKTIV:
            continue  # „Einem Beitritt könne Budapest nicht zustimmen“: reported content
        rank = _RANK_ATTRIBUTION if order == "clause" else _RANK_SUBJECT
        yield from _subject_phrases(sentence, phrase, rank)


def _shared_subject(sentence: Sentence, i: int) -> Iterator[Candidate]:
    """„… lehnte sich Brandt zurück und sagte nur …“: the subject of the first predicate."""
    start = i - 1
    while start > sentence.first and sentence.tokens[start - 1].text not in (";", ":", "."):
        start -= 1
    phrase = sentence.phrase(start)
    if (
        phrase is not None
        and _nominative(sentence, phrase)
        and sentence.low(start) not in (_FUNCTION_WORDS - _DETERMINERS)
    ):
        verb = _skip_inserts(sentence, sentence.coordinated(phrase)[-1].end)
        if verb < i and not sentence.tokens[verb].cap:
            yield from _subject_phrases(sentence, phrase, _RANK_SUBJECT)
        return
    finite = _verbs().finite
    for k in range(start + 1, i - 1):
        low = sentence.low(k)
        if low in finite or low in _AUXILIARIES or low in _MODALS:
            after = sentence.phrase(_midfield_end(sentence, k + 1))
            if after is not None and _post_verbal_subject(sentence, after, "other"):
                yield from _subject_phrases(sentence, after, _RANK_SUBJECT)
            return


def _midfield_end(sentence: Sentence, j: int) -> int:
    """Skip reflexives, adverbs and „am Montag“ between a verb and its subject."""
    start = j
    while j - start < 5:
        low = sentence.low(j)
        if low == "am" and sentence.tokens[j + 1 : j + 2] and sentence.tokens[j + 1].cap:
            j += 2
        elif low in _MIDFIELD and not (low in ("das", "dies") and sentence.phrase(j)):
            j += 1
        else:
            break
    return j


def _fronted(sentence: Sentence, i: int) -> str:
    """What stands before the finite verb at i: "clause" (a quote, a reported clause), "other"
    (a preposition, adverb or object), "subject" or "ambiguous" (a bare noun phrase)."""
    prev = sentence.tokens[i - 1]
    if prev.text in (",", "“", "”", "«", ";", ":"):
        return "subject" if _coordinated_predicate(sentence, i) else "clause"
    start = sentence.clause_start(i)
    first = sentence.low(start)
    if start == i - 1 and first in ("das", "dies", "so", "damit", "dazu", "darauf"):
        return "other"
    if first in _PRONOUNS or first in ("es", "man", "wir", "ich"):
        return "subject"
    if first in _DETERMINERS:
        oblique = first in ("dem", "den", "des", "einem", "einen", "eines")
        fronted = sentence.phrase(start)
        inanimate = fronted is not None and sentence.is_inanimate(fronted)
        return "other" if oblique or inanimate else "subject"
    if first in _FUNCTION_WORDS or (start == i - 1 and _ADVERB_RE.search(first)):
        return "other"
    bare_plural = re.search(r"[a-zäöüß](?:e|en)$", first) and sentence.tokens[start].cap
    if bare_plural and not sentence.gazetteer.known(first) and not _ROLE_RE.search(first):
        return "ambiguous"  # „Konkrete Zusagen machte sie …“
    return "subject"


def _coordinated_predicate(sentence: Sentence, i: int) -> bool:
    """„…, mahnte aber …“: the verb after a comma continues a clause with its own subject."""
    if sentence.tokens[i - 1].text != ",":
        return False
    start = sentence.clause_start(i - 1)
    words = sentence.tokens[start : i - 1]
    if any(t.text in _QUOTES or t.low in _KONJUNKTIV for t in words):
        return False
    first = words[0].low if words else ""
    if first in _FUNCTION_WORDS and first not in _NOMINATIVE_DETERMINERS:
        return False  # „Ohne diese Daten blieben …, sagte Stahl“; „ob …, …“
    finite = _verbs().finite
    return any(t.low in finite and not t.cap for t in words[1:])


def _post_verbal_subject(sentence: Sentence, phrase: Phrase, order: str) -> bool:
    """A phrase after the verb that can be its subject (nominative, not a bare plural)."""
    if phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return False
    if phrase.det is None and sentence.is_adjective(phrase.head_start):
        return False
    if order == "ambiguous":
        named = phrase.det is None and sentence.tokens[phrase.head_start].cap
        return (
            named
            or phrase.det in ("der", "ein", "kein", "ihr", "sein")
            or sentence.is_common(phrase)
        )
    return True


def _find_subordinate(sentence: Sentence) -> Iterator[Candidate]:
    """Subjects of verb-final clauses: „während China sich weigerte“, „wie ein Sprecher sagte“."""
    for i in range(sentence.first, sentence.n):
        low = sentence.low(i)
        if low not in _SUBORDINATORS and not (
            low in ("dem", "den", "denen", "dessen", "deren") and sentence.low(i - 1) == ","
        ):
            continue
        phrase = sentence.phrase(i + 1)
        if phrase is None or phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
            continue
        if low in _RELATIVES and phrase.det is None and not sentence.is_name_word(i + 1):
            continue
        if sentence.final_stance_verb(phrase.end, finite_only=low == "wie") >= 0:
            yield from _subject_phrases(sentence, phrase, _RANK_CLAUSE)


def _find_any_verb_subject(sentence: Sentence) -> Iterator[Candidate]:
    """Fallback: an actor-like subject at the start of the sentence, whatever its verb."""
    j = sentence.first
    while sentence.low(j) in _FOCUS_WORDS and j < sentence.n:
        j += 1
    phrase = sentence.phrase(j)
    if phrase is None or phrase.det not in (None, *_NOMINATIVE_DETERMINERS):
        return
    phrase = _with_attribute(sentence, phrase)
    verb = _skip_inserts(sentence, sentence.coordinated(phrase)[-1].end)
    if sentence.low(verb) == "," and phrase.apposition is not None:
        verb += 1  # „Der Präsident der Zentralbank, Pieter van Dam, stemmt sich …“
    if verb >= sentence.n or not sentence.tokens[phrase.head_start].cap:
        return
    token = sentence.tokens[verb]
    if token.cap or not token.word or token.low in _FUNCTION_WORDS or token.low in _DETERMINERS:
        return
    known = token.low in _MODALS or token.low in _PLAIN_VERBS or sentence.vetoed(verb)
    if known or token.text in _KONJUNKTIV or _fronted_object(sentence, phrase, verb):
        return
    if sentence.is_common(phrase) or sentence.is_person(phrase) or _is_place_name(sentence, phrase):
        yield from _subject_phrases(sentence, phrase, _RANK_FALLBACK)


def _is_place_name(sentence: Sentence, phrase: Phrase) -> bool:
    words = sentence.core_words(phrase)
    return sentence.gazetteer.known(" ".join(words))


def _is_konjunktiv(sentence: Sentence, i: int) -> bool:
    return sentence.low(i) in _KONJUNKTIV
