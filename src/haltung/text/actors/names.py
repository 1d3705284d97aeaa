"""Actor names: the comparable form of an actor, matching two actors, and the gazetteer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from haltung.text.actors.lexicon import _DETERMINERS
from haltung.text.actors.tokens import Token, tokenise, visible

_EDGE_RE = re.compile(r"^[\s\"'„“”‚‘’»«()\[\],.;:!?–—-]+|[\s\"'„“”‚‘’»«()\[\],.;:!?–—-]+$")
_SPACE_RE = re.compile(r"\s+")


def normalise_actor(actor: str) -> str:
    """Comparable form: casefolded, leading articles/determiners removed, edges stripped."""
    text = _SPACE_RE.sub(" ", visible(actor).casefold()).strip()
    while True:
        text = _EDGE_RE.sub("", text)
        head, _, rest = text.partition(" ")
        if not rest or head not in _DETERMINERS:
            return text
        text = rest


def actors_match(a: str, b: str, lenient: bool = True) -> bool:
    """Whether two actor strings name the same actor: equal once normalised, or (lenient) one
    contains the other or both end in the same word („Rutte“ ~ „Mark Rutte“)."""
    x, y = normalise_actor(a), normalise_actor(b)
    if x == y:
        return True
    if not lenient or not x or not y:
        return False
    return x in y or y in x or x.split()[-1] == y.split()[-1]


def _contains(a: str, b: str) -> bool:
    """One normalised name contains the other as whole words."""
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


ALIAS_SEPARATOR = "="


def gazetteer_entry(line: str) -> tuple[str, ...]:
    """The names of one gazetteer entry: „Vereinigte Staaten = USA = US“ gives three names of
    one actor, the first its canonical name; a plain line gives one name."""
    return tuple(name for name in (n.strip() for n in line.split(ALIAS_SEPARATOR)) if name)


@lru_cache(maxsize=1)
def builtin_entries() -> tuple[str, ...]:
    """The entries of the package's gazetteer.txt, aliases still joined by ` = `."""
    text = resources.files(__package__).joinpath("gazetteer.txt").read_text(encoding="utf-8")
    lines = (line.partition("#")[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


@lru_cache(maxsize=1)
def builtin_gazetteer() -> tuple[str, ...]:
    """The names of the package's gazetteer.txt: institutions, parties, countries, capitals,
    companies (one entry per line; `#` starts a comment; aliases are separate names here)."""
    return tuple(name for line in builtin_entries() for name in gazetteer_entry(line))


class Gazetteer:
    """Institution and place names, matched token by token (case-insensitive).

    An entry may name one actor several ways („USA = Vereinigte Staaten“, see
    `gazetteer_entry`): each name is matched, and `canonical` maps the `normalise_actor` form of
    every name to the entry's first name (the first entry wins for a name listed twice).
    """

    def __init__(self, names: Iterable[str]):
        self.names: set[str] = set()
        self.first: dict[str, list[tuple[str, ...]]] = {}
        self.canonical: dict[str, str] = {}
        for entry in names:
            aliases = gazetteer_entry(entry)
            for name in aliases:
                self.canonical.setdefault(normalise_actor(name), aliases[0])
                words = tuple(t.low for t in tokenise(name))
                if not words:
                    continue
                self.names.add(" ".join(words))
                self.first.setdefault(words[0], []).append(words)
        for options in self.first.values():
            options.sort(key=len, reverse=True)

    def match(self, tokens: list[Token], i: int) -> int:
        """End of the longest multi-word name starting at i, else 0."""
        for words in self.first.get(tokens[i].low, ()):
            end = i + len(words)
            if (
                len(words) > 1
                and end <= len(tokens)
                and all(tokens[i + k].low == w for k, w in enumerate(words))
            ):
                return end
        return 0

    def known(self, name: str) -> bool:
        return name in self.names
