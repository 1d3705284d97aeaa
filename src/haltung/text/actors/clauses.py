"""A tokenised sentence with its clause boundaries and the speech/stance verb tests."""

from __future__ import annotations

import re

from haltung.text.actors.lexicon import _BOUNDARIES, _MAX_LOOKAHEAD, _QUOTES_CLOSE, _QUOTES_OPEN
from haltung.text.actors.tokens import orient_quotes, skip_dateline, tokenise
from haltung.text.actors.verbs import (
    _AUXILIARIES,
    _COPULAS,
    _MODALS,
    _NEGATIONS,
    _PASSIVE_ACTOR_PARTICIPLES,
    _PASSIVE_AUX,
    _WANT,
    Readings,
    _verbs,
)


class Clauses:
    """One tokenised sentence: where its clauses end and whether a verb heads a speech or
    stance predicate (the base of the sentence parser)."""

    def __init__(self, text: str, quoted: bool = False):
        """`quoted`: a straight quotation mark opened in an earlier sentence is still open;
        `self.quoted` says the same after this sentence."""
        self.text = text
        self.tokens, self.quoted = orient_quotes(text, tokenise(text), quoted)
        self.n = len(self.tokens)
        self.first = skip_dateline(self.tokens)

    def low(self, i: int) -> str:
        return self.tokens[i].low if 0 <= i < self.n else ""

    def boundary(self, i: int) -> bool:
        return i >= self.n or self.tokens[i].text in _BOUNDARIES

    def clause_end(self, i: int) -> int:
        """First boundary token at or after i outside a short quotation (bounded lookahead)."""
        limit = min(self.n, i + _MAX_LOOKAHEAD)
        while i < limit and self.tokens[i].text not in _BOUNDARIES:
            if self.tokens[i].text in _QUOTES_OPEN:
                close = self._quote_close(i)
                if close:
                    i = close
            i += 1
        return min(i, self.n)

    def _quote_close(self, i: int) -> int:
        """The closing mark of a quotation of at most 25 tokens opened at i, else 0."""
        for k in range(i + 1, min(self.n, i + 25)):
            if self.tokens[k].text in _QUOTES_CLOSE:
                return k
        return 0

    def clause_start(self, i: int) -> int:
        """Index after the boundary token before i (bounded lookbehind)."""
        limit = max(self.first, i - _MAX_LOOKAHEAD)
        while i > limit and self.tokens[i - 1].text not in _BOUNDARIES:
            i -= 1
        return i

    def requirement_met(self, verb: int, readings: Readings) -> bool:
        """One reading of the verb has its particle after it, or its cue word in the clause."""
        end = self.clause_end(verb + 1)
        words = {t.low for t in self.tokens[self.clause_start(verb) : end]}
        for particle, cues in readings:
            if particle and not self.particle_after(verb, particle):
                continue
            wanted = {c for c in cues if not c.startswith("-")}
            if wanted and not wanted & words:
                continue
            if any(c[1:] in words for c in cues if c.startswith("-")):
                continue
            return True
        return False

    def vetoed(self, verb: int) -> bool:
        """A reading of the verb is ruled out by a word in its clause („begrüßte die Gäste“)."""
        readings = _verbs().finite.get(self.low(verb), ())
        words = {t.low for t in self.tokens[self.clause_start(verb) : self.clause_end(verb + 1)]}
        return any(c[1:] in words for _, cues in readings for c in cues if c.startswith("-"))

    def particle_after(self, verb: int, particle: str) -> bool:
        """The separable particle closes the clause of the verb (relative clauses skipped)."""
        limit = min(self.n, verb + _MAX_LOOKAHEAD)
        for k in range(verb + 1, limit):
            text = self.tokens[k].text
            if text in (".", ";", ":", "?", "!"):
                return False
            if self.tokens[k].low == particle and (
                self.boundary(k + 1) or self.low(k + 1) in ("und", "oder", "“", "zu")
            ):
                return True
        return False

    def stance_verb(self, i: int) -> bool:
        """A finite verb at i heads a speech or stance predicate (V2 or verb-first)."""
        low = self.low(i)
        if not low or (self.tokens[i].cap and i != self.first):
            return False
        verbs = _verbs()
        if low in verbs.finite:
            if low.startswith(("befand", "befind")) and self.low(i + 1) == "sich":
                return False  # „befand sich in …“: a place, not a finding
            if self.requirement_met(i, verbs.finite[low]):
                return True
        if (low in _MODALS and not low.startswith(("muss", "müss"))) or low in _AUXILIARIES:
            last = self.clause_end(i + 1) - 1
            return last > i and (self._nonfinite_stance(last, i) or self._refusal(i, last))
        if low in _PASSIVE_AUX:
            last = self.clause_end(i + 1) - 1
            return last > i and self.low(last) in _PASSIVE_ACTOR_PARTICIPLES
        if low in _COPULAS:
            return self._copula_stance(i)
        return False

    def _copula_stance(self, i: int) -> bool:
        """„ist strikt dagegen“, „ist für …“, „war zu einer Stellungnahme nicht bereit“."""
        k = i + 1
        while (
            self.low(k) in ("strikt", "klar", "entschieden", "grundsätzlich", "nicht") and k - i < 3
        ):
            k += 1
        if "bereit" in {t.low for t in self.tokens[k : self.clause_end(k)]}:
            return True  # „war zu einer Stellungnahme nicht bereit“
        last = self.low(self.clause_end(k) - 1)
        if re.fullmatch(r"[a-zäöü]*ge[a-zäöüß]+(?:t|en)", last):
            return False  # „ist für den 14. März angesetzt“
        return self.low(k) in ("gegen", "dagegen", "dafür", "für")

    def _nonfinite_stance(self, last: int, verb: int) -> bool:
        nonfinite = _verbs().nonfinite
        before_and = [k - 1 for k in range(verb + 2, last) if self.low(k) in ("und", "oder")]
        return any(
            k > verb
            and self.low(k) in nonfinite
            and self.requirement_met(k, nonfinite[self.low(k)])
            for k in (last, last - 1, *before_and)
        )

    def _refusal(self, verb: int, last: int) -> bool:
        """„wollte sich nicht äußern“, „mochte keine Empfehlung abgeben“: a withheld position."""
        if self.low(verb) not in _WANT:
            return False
        words = {t.low for t in self.tokens[verb + 1 : last + 1]}
        infinitive = self.tokens[last]
        return bool(words & _NEGATIONS) and not infinitive.cap and infinitive.low.endswith("n")

    def final_stance_verb(self, i: int, finite_only: bool = False) -> int:
        """End of a verb-final clause from i whose verb is a stance verb, else -1."""
        end = self.clause_end(i)
        verbs = _verbs()
        for k in range(end - 1, max(i, end - 3) - 1, -1):
            low = self.low(k)
            readings = verbs.final.get(low) or (None if finite_only else verbs.nonfinite.get(low))
            if readings and self.requirement_met(k, readings):
                return end
            if low not in _AUXILIARIES and low not in _MODALS and low not in _PASSIVE_AUX:
                break
        return -1
