"""Actors of German news sentences: who speaks, decides or takes a position, found by rules.

No model weights are needed. A sentence is tokenised, noun phrases that can name an actor are
parsed (article, adjectives, capitalised nouns and names, a genitive or place attribute, an
apposition), and they become actors when a cue says so: the subject of a speech or stance verb
(„sagte“, „kritisierte“, „lehnte … ab“, „wollte sich nicht äußern“, „hat … zugestimmt“), an
attribution („laut X“, „nach Angaben des X“, „X zufolge“, „…, so X“, „hieß es aus X“) or a
vote. A document-level pass then gives quote-only sentences, pronoun subjects („er“, „sie“)
and reported speech in Konjunktiv I the speaker of the neighbouring sentences.

Actors are written as the annotation guidelines ask (data/haltung-news/GUIDELINES.md, §6): as in
the text with the role attached, the leading article dropped and the nominative restored
(„nach Angaben des Statistischen Bundesamts“ → „Statistisches Bundesamt“); a resolved pronoun
becomes the fullest earlier mention of its speaker. `ActorDetector.entities` (entities.py) then
names each actor's entity: one canonical name per actor of a document („Rutte“ → „Mark Rutte“,
„Vereinigte Staaten“ → „USA“).

Layers, bottom up: lexicon, verbs (word lists) → tokens, names (normalisation, gazetteer) →
clauses, sentence (the parser) → forms (writing an actor) → subjects, sources (the finders) →
finders (one sentence's actors) → document (the document pass) → entities (canonical names) →
detector, spacy_detector.
"""

from haltung.text.actors.detector import ActorDetector
from haltung.text.actors.entities import document_entities
from haltung.text.actors.names import actors_match, builtin_gazetteer, normalise_actor
from haltung.text.actors.spacy_detector import SpacyActorDetector

__all__ = [
    "ActorDetector",
    "SpacyActorDetector",
    "actors_match",
    "builtin_gazetteer",
    "document_entities",
    "normalise_actor",
]
