"""Tokens, noun phrases and actor candidates: the pieces the sentence rules pass around."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"(?:Dr|Prof|Dipl|Ing|St|Hl|jun|sen|med|rer|nat|phil|jur)\.(?=\s)"
    r"|[^\W\d_][\w]*(?:[-'’.&]{1,2}[^\W_][\w]*)*-?"
    r"|\d[\d.,:]*"
    r"|\S"
)
_DATELINE_END = frozenset({"–", "—", "-"})
# Soft hyphen, zero-width space / (non-)joiner, word joiner, BOM and direction marks: invisible
# in print, they must not split or end a word.
INVISIBLE = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"  # a character class's inside
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_OPENS_BEFORE = frozenset("([{/–—-:")
_CLOSES_AFTER = frozenset(".,;:!?)]}–—-…/")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    low: str
    cap: bool
    word: bool


def tokenise(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        first = word[0]
        tokens.append(
            Token(word, match.start(), match.end(), word.lower(), first.isupper(), first.isalpha())
        )
    return tokens


def visible(text: str) -> str:
    """The text without invisible characters („Bundes\u00adkanzler“ → „Bundeskanzler“)."""
    return _INVISIBLE_RE.sub("", text)


def orient_quotes(text: str, tokens: list[Token], inside: bool = False) -> tuple[list[Token], bool]:
    """Straight double quotes as opening „ or closing “ marks, by where they stand: after a
    space and before a word one opens, after a word and before a space or punctuation one
    closes; where that does not decide, the quote opens unless one is open (`inside`, carried
    from sentence to sentence). Returns the tokens and whether a straight quote is left open."""
    oriented = []
    for token in tokens:
        if token.text == '"':
            before = text[token.start - 1] if token.start else " "
            after = text[token.end] if token.end < len(text) else " "
            opens = (before.isspace() or before in _OPENS_BEFORE) and not after.isspace()
            closes = not (before.isspace() or before in "([{") and (
                after.isspace() or after in _CLOSES_AFTER
            )
            inside = opens if opens != closes else not inside
            mark = "„" if inside else "“"
            token = Token(mark, token.start, token.end, mark, False, False)
        oriented.append(token)
    return oriented, inside


def skip_dateline(tokens: list[Token]) -> int:
    """Index after a dateline such as „TAIPEH, Taiwan – “ (0 when there is none)."""
    if not tokens or not (tokens[0].word and tokens[0].text.isupper() and len(tokens[0].text) > 1):
        return 0
    for i, token in enumerate(tokens[:8]):
        if token.text in _DATELINE_END and i > 0:
            return i + 1
    return 0


@dataclass(slots=True)
class Phrase:
    """A noun phrase that may name an actor, with the parts the written form is built from."""

    start: int  # first token (the determiner, if any)
    end: int  # one past the last token, attributes and apposition included
    det: str | None
    head_start: int  # first token after the determiner
    head_end: int  # one past the nominal core (adjectives, nouns, names)
    oblique: bool = False  # governed by a preposition or a genitive: dative/genitive case
    apposition: Phrase | None = None
    tail_end: int = 0  # one past the attributes (genitive, place), before the apposition


@dataclass(slots=True)
class Candidate:
    text: str
    rank: int
    position: int
    gender: str | None = None
    person: bool = False
    pronoun: str | None = None


# Candidate ranks, best first: an attribution after a quote or clause („…, sagte X“, „…, so X“),
# the subject of a stance verb, a source („laut X“), the subject of a subordinate clause, a
# reaction, vote or passive agent, and the fallback subject of any verb.
_RANK_ATTRIBUTION, _RANK_SUBJECT, _RANK_SOURCE, _RANK_CLAUSE, _RANK_OTHER, _RANK_FALLBACK = range(6)
