"""Entities: the one canonical name of an actor, however a document writes it.

A mention becomes an entity in three steps:

1. a gazetteer alias gives its entry's canonical name („Vereinigte Staaten“ → „USA“);
2. a role or title before a person's name is dropped („NATO-Generalsekretär Mark Rutte“ →
   „Mark Rutte“, „wehrpolitische Sprecherin der Grünen, Lea Hoffmeister“ → „Lea Hoffmeister“);
   a mention that is only a role („Sprecher der Stadt“) stays as written;
3. within one document, a person's short and full names are one entity named by the fullest
   („Rutte“ after „Mark Rutte“ → „Mark Rutte“); other mentions are one entity only when equal
   once normalised („der Kreml“ ~ „Kreml“). Names are compared as whole words, never as parts
   of a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from haltung.text.actors.lexicon import (
    _CAP_ADJECTIVE_RE,
    _FUNCTION_WORDS,
    _INANIMATE_RE,
    _MEDIA_RE,
    _NOMINALISED_RE,
    _ORG_RE,
    _ROLE_RE,
)
from haltung.text.actors.names import Gazetteer, builtin_entries, normalise_actor

__all__ = ["document_entities"]

_TITLES = frozenset({"dr.", "prof.", "dipl.", "ing.", "frau", "herr", "mr.", "mrs.", "ms."})
_NOT_ROLES = frozenset({"walter"})  # „Frank-Walter Steinmeier“ ends like „Sachwalter“
_MORE_ROLES_RE = re.compile(r"(?:gastgeber|moderator|initiator|organisator|koordinator)(?:in)?$")
_PARTICLES = frozenset(
    {"von", "van", "vom", "de", "der", "den", "zu", "da", "di", "du", "al", "bin", "ibn", "el"}
    | {"la", "le", "ten", "ter", "y"}
)


@dataclass(slots=True, eq=False)
class _Entity:
    name: str
    person: bool
    key: str = ""  # normalise_actor(name)
    stamp: int = 0  # when it was last mentioned


class _Seen:
    """The entities of a document so far, indexed by their normalised name and its last word:
    every way a mention can name an earlier entity (equal names, one name the end of the other,
    a surname) needs one of the two, so a document's mentions take linear time."""

    def __init__(self) -> None:
        self.by_key: defaultdict[str, set[_Entity]] = defaultdict(set)
        self.by_last: defaultdict[str, set[_Entity]] = defaultdict(set)
        self.clock = 0

    def candidates(self, key: str) -> set[_Entity]:
        last = key.rsplit(" ", 1)[-1]
        return (
            self.by_key.get(key, set())
            | self.by_last.get(last, set())
            | (self.by_last.get(key, set()))
        )

    def add(self, entity: _Entity) -> None:
        entity.key = normalise_actor(entity.name)
        self.by_key[entity.key].add(entity)
        self.by_last[entity.key.rsplit(" ", 1)[-1]].add(entity)

    def discard(self, entity: _Entity) -> None:
        self.by_key[entity.key].discard(entity)
        self.by_last[entity.key.rsplit(" ", 1)[-1]].discard(entity)

    def touch(self, entity: _Entity) -> None:
        self.clock += 1
        entity.stamp = self.clock


@lru_cache(maxsize=1)
def _builtin() -> Gazetteer:
    return Gazetteer(builtin_entries())


def document_entities(
    actors: Sequence[Sequence[str]], gazetteer: Gazetteer | None = None
) -> list[list[str]]:
    """The entity of each actor of the sentences of ONE document, in the shape of `actors`
    (what `ActorDetector.detect` returns). `gazetteer` gives the aliases (None: the built-in
    list); an empty actor stays ''."""
    gazetteer = gazetteer or _builtin()
    seen = _Seen()
    found: list[list[_Entity | None]] = []
    for sentence in actors:
        row: list[_Entity | None] = []
        for mention in sentence:
            row.append(_resolve(mention, gazetteer, seen) if mention.strip() else None)
        found.append(row)
    return [[entity.name if entity else "" for entity in row] for row in found]


def _resolve(mention: str, gazetteer: Gazetteer, seen: _Seen) -> _Entity:
    """The entity of one mention: the most recently mentioned earlier entity it names, else a
    new one."""
    name, person = _base(mention, gazetteer)
    key = normalise_actor(name)
    # one word that ends like a role may be a surname seen before („Hoffmeister“)
    surname = not person and " " not in name and name[:1].isupper()
    matching = [
        entity
        for entity in seen.candidates(key)
        if (
            entity.key == key
            or (person and entity.person and _same_person(key, entity.key))
            or (surname and entity.person and entity.key.split()[-1] == key)
        )
    ]
    if matching:
        entity = max(matching, key=lambda e: e.stamp)
        if person and len(key.split()) > len(entity.key.split()):
            seen.discard(entity)
            entity.name = name
            seen.add(entity)
    else:
        entity = _Entity(name, person)
        seen.add(entity)
    seen.touch(entity)
    return entity


def _same_person(a: str, b: str) -> bool:
    """One name is the end of the other, word for word („rutte“, „mark rutte“)."""
    x, y = sorted((a.split(), b.split()), key=len)
    return bool(x) and y[-len(x) :] == x


def _base(mention: str, gazetteer: Gazetteer) -> tuple[str, bool]:
    """(canonical name, whether it is a person's name) of a mention by itself."""
    text = " ".join(mention.split())
    canonical = gazetteer.canonical.get(normalise_actor(text))
    if canonical:
        return canonical, False
    person = _person_name(text, gazetteer)
    if person:
        return person, True
    return text, False


def _person_name(mention: str, gazetteer: Gazetteer) -> str | None:
    """The person's name in a mention, without role or title; None when it names none."""
    parts = [part.split() for part in mention.split(",")]
    has_role = any(_is_role(word) for part in parts for word in part)
    for part in parts:
        start = len(part)
        while start > 0 and (
            _is_name_word(part[start - 1], gazetteer)
            or (part[start - 1] in _PARTICLES and start < len(part))
            or _is_surname(part, start - 1, gazetteer)
        ):
            start -= 1
        while start < len(part) and part[start] in _PARTICLES:
            start += 1
        name = part[start:]
        if not name:
            continue
        if start == 0:
            if len(parts) == 1 or has_role:  # „Mark Rutte“; „…, Lea Hoffmeister“
                return " ".join(name)
            continue
        before = part[start - 1]
        if _is_role(before):  # „NATO-Generalsekretär Mark Rutte“
            return " ".join(name)
        if (  # „Präsident des Bundesverfassungsgerichts Stephan Harbarth“
            len(name) > 1
            and before[:1].isupper()
            and any(_is_role(word) for word in part[: start - 1])
        ):
            return " ".join(name)
    return None


def _is_surname(part: list[str], k: int, gazetteer: Gazetteer) -> bool:
    """A last word that ends like a role after a first name („Lea Hoffmeister“): roles come
    before names in German, so it is the surname."""
    return (
        k == len(part) - 1
        and k > 0
        and _is_name_word(part[k - 1], gazetteer)
        and _is_name_word(part[k], gazetteer, role=True)
    )


def _is_role(word: str) -> bool:
    """A role noun („Generalsekretär“, „NATO-Chefin“) or a title („Dr.“, „Frau“)."""
    low = word.lower()
    if low in _TITLES:
        return True
    if low.rsplit("-", 1)[-1] in _NOT_ROLES:
        return False
    return bool(_ROLE_RE.search(low) or _MORE_ROLES_RE.search(low))


def _is_name_word(word: str, gazetteer: Gazetteer, *, role: bool = False) -> bool:
    """A capitalised word that can be part of a person's name (`role`: even if it ends like a
    role noun)."""
    if not (word[:1].isupper() and word[:1].isalpha()):
        return False
    low = word.lower()
    return not (
        low in _FUNCTION_WORDS
        or (not role and _is_role(word))
        or _ORG_RE.search(low)
        or _MEDIA_RE.search(low)
        or _INANIMATE_RE.search(low)
        or _NOMINALISED_RE.search(low)
        or _CAP_ADJECTIVE_RE.match(word)
        or gazetteer.known(low)
        or (low.endswith("s") and gazetteer.known(low[:-1]))  # „Israels“
    )
