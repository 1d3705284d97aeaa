"""German news sentence splitting: SoMaJo within each line, exact character offsets.

Lines are never merged. Within a line SoMaJo ("de_CMC") finds the sentence boundaries, a few
rules fix what it gets wrong on news text, and every sentence is mapped back to its exact span
in the input, so that ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import regex
from somajo import SoMaJo
from somajo.token import Token

__all__ = ["Sentence", "SentenceSplitter", "split_sentences"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s")
_LONG_RUN = re.compile(r"\S{201,}")  # SoMaJo is quadratic on long runs like "a.a.a.a."
_RUN_KEEP = 50  # characters kept at each end of a long run
_CHUNK = 4000  # characters per SoMaJo call on long lines
_MARGIN = 300  # right context a boundary needs before it is trusted
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\uFE0F]")
_SKIPPED = {"Cc", "Cf", "Co", "Cn", "Cs", "Mn", "Me", "Mc", "Zs", "Zl", "Zp"}
_FINAL_PUNCT = re.compile(r"^(?:\.|[!?]+)$")
_OPENING = {"„", "‚", "»", "›", "“", '"', "'", "(", "[", "–", "—", "-"}
_CLOSING = {"“", "”", "‘", "’", "«", "‹", "»", "›", '"', "'", ")", "]"}
_MONTHS = set(
    "Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober November "
    "Dezember Jan. Feb. Febr. Mär. Mrz. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez.".split()
)
# Capitalised words that start sentences but hardly ever follow an ordinal or an abbreviation.
_SENTENCE_STARTS = set(
    "Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Kein Keine Er Sie Es Wir Ich Ihr "
    "Du Man Dies Diese Dieser Dieses Diesem Diesen Jeder Jede Jedes Alle Viele Beide Manche "
    "Sein Seine Ihre Unser Unsere Wer Was Wie Wo Wann Warum Weshalb Welche Welcher Und Aber "
    "Doch Denn Auch Dann Da Daher Deshalb Darum Damit Dabei Dazu Danach Davor Dafür Dagegen "
    "Dennoch Trotzdem Zudem Außerdem Allerdings Jedoch Nun Jetzt Heute Gestern Inzwischen "
    "Bereits Schon Noch Nur So Zwar Als Wenn Weil Ob Obwohl Während Nachdem Bevor Seit Seitdem "
    "In Im Am An Auf Aus Bei Beim Mit Nach Von Vom Vor Zu Zum Zur Für Gegen Ohne Um Über "
    "Unter Durch Bis Ab Laut Trotz Wegen Hier Dort Erst Zuvor Später Anschließend".split()
)
# Words before an ordinal number: "Am 3. Oktober", "Der 3. Platz", "Ab 1. Januar"
_ORDINAL_CONTEXT = set(
    "der die das den dem des ein eine einer eines einem einen am im zum zur vom beim ins "
    "jeder jede jedes jeden jedem dieser diese dieses diesem diesen sein seine seiner seines "
    "seinem seinen ihr ihre ihrer ihres ihrem ihren unser unsere unserer unseres unserem "
    "unseren kein keine keiner keinem keinen ab bis seit per in an auf für um von zu "
    "zwischen über unter nach vor".split()
)
_TITLES = set(
    "Dr. Prof. Hr. Fr. Frl. Sr. Mr. Mrs. Ms. St. Nr. Art. Abs. Bd. Kap. Gen. Abg. Dipl. "
    "Ing. Msgr. Präs. Stellv.".split()
)
_INNER_PAIRS = {"z. B.", "u. U.", "z. T.", "m. E.", "z. Z."}
# Words that make the clause of a date verb-final („…, der am 31.12. Geburtstag hatte“).
_SUBORDINATORS = set(
    "dass daß weil wenn als nachdem obwohl ob da bevor seit seitdem sobald während wie wo "
    "indem damit sodass falls".split()
)
_RELATIVES = set("der die das dem den denen dessen deren welche welcher welches wer was".split())
_STRONG_PAST = set(
    "sprach sprachen sagte rief riefen wies wiesen hielt hielten gab gaben schlug schlugen "
    "nannte nannten bat baten warf warfen trat traten stand standen blieb blieben schrieb "
    "schrieben".split()
)
_FINAL_ABBREVIATIONS = {"ff.", "dgl.", "ä."}


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``input[start:end] == text``, on 1-based line ``line`` of the input."""

    text: str
    line: int
    start: int
    end: int


@dataclass
class _Token:
    """A SoMaJo token located in the line: ``line[start:end]``; ``eos`` ends a sentence."""

    text: str
    kind: str
    start: int
    end: int
    eos: bool


class SentenceSplitter:
    """Reusable splitter; holds one SoMaJo instance."""

    def __init__(self) -> None:
        self._somajo = SoMaJo("de_CMC", split_sentences=True)
        _skip_emoji_search(self._somajo)

    def split(self, text: str) -> list[Sentence]:
        """Split ``text`` into sentences; a sentence never spans two lines."""
        sentences = []
        for number, (offset, line) in enumerate(_lines(text), start=1):
            for start, end in self._line_spans(line):
                start, end = start + offset, end + offset
                sentences.append(Sentence(text[start:end], number, start, end))
        return sentences

    def _line_spans(self, line: str) -> list[tuple[int, int]]:
        """Trimmed, non-empty sentence spans of one line."""
        if not line.strip():
            return []
        cuts = [0, *self._boundaries(line), len(line)]
        spans = (_trim(line, a, b) for a, b in pairwise(cuts))
        return [(a, b) for a, b in spans if a < b]

    def _boundaries(self, line: str) -> list[int]:
        """Sentence end offsets in ``line``, found piece by piece on long lines."""
        masked = _mask_long_runs(line)
        bounds: list[int] = []
        pos = 0
        while pos < len(masked):
            end = _piece_end(masked, pos)
            found = [t.end for t in self._tokens(masked, pos, end) if t.eos]
            if end >= len(masked):
                return bounds + found
            limit = end - _MARGIN
            accepted = [b for b in found if b <= limit]
            bounds += accepted
            pos = accepted[-1] if accepted else _restart(masked, pos, limit, end)
        return bounds

    def _tokens(self, line: str, start: int, end: int) -> list[_Token]:
        """SoMaJo tokens of ``line[start:end]`` with offsets in ``line``, rules applied."""
        piece = line[start:end]
        sentences = list(self._somajo.tokenize_text([piece]))
        tokens = _locate(piece, sentences)
        for token in tokens:
            token.start += start
            token.end += start
        return _apply_rules(tokens, line)


def _skip_emoji_search(somajo: SoMaJo) -> None:
    """Half of SoMaJo's time goes to one regex search per character looking for emojis; skip
    that search on tokens without emoji characters, where it finds nothing (same output)."""
    tokenizer = getattr(somajo, "_tokenizer", None)
    split_emojis = getattr(tokenizer, "_split_emojis", None)
    if split_emojis is None:
        return

    def split_if_any(node: object, *args: object, **kwargs: object) -> None:
        text = getattr(getattr(node, "value", None), "text", None)
        if not isinstance(text, str) or _EMOJI.search(text):
            split_emojis(node, *args, **kwargs)

    tokenizer._split_emojis = split_if_any


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for every line; \\r\\n, \\r and \\n end a line."""
    offset = 0
    for match in _LINE_BREAK.finditer(text):
        yield offset, text[offset : match.start()]
        offset = match.end()
    yield offset, text[offset:]


def _trim(line: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``line[start:end]`` by surrounding whitespace and invisible characters."""
    while start < end and _invisible(line[start]):
        start += 1
    while end > start and _invisible(line[end - 1]):
        end -= 1
    return start, end


def _invisible(char: str) -> bool:
    """Whitespace, control and format characters (zero-width space, byte order mark)."""
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf"}


def _mask_long_runs(line: str) -> str:
    """Same-length copy of ``line`` whose long non-space runs are cheap for SoMaJo."""

    def mask(match: re.Match[str]) -> str:
        run = match.group()
        return run[:_RUN_KEEP] + "x" * (len(run) - 2 * _RUN_KEEP) + run[-_RUN_KEEP:]

    return _LONG_RUN.sub(mask, line)


def _piece_end(line: str, start: int) -> int:
    """End of the piece from ``start``: at most about ``_CHUNK`` characters, cut at a space."""
    if len(line) - start <= _CHUNK:
        return len(line)
    space = _last_space(line, start + _CHUNK // 2, start + _CHUNK)
    if space is not None:
        return space
    match = _SPACE.search(line, start + _CHUNK)
    return match.start() if match else len(line)


def _restart(line: str, start: int, limit: int, end: int) -> int:
    """Where the next piece starts when the current one had no trusted boundary."""
    space = _last_space(line, start + 1, limit)
    return space if space is not None else end


def _last_space(line: str, start: int, end: int) -> int | None:
    """Offset of the last whitespace character in ``line[start:end]``."""
    for i in range(end - 1, start - 1, -1):
        if line[i].isspace():
            return i
    return None


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """The character as compared with token text: base letter, nothing for invisibles."""
    if unicodedata.category(char) in _SKIPPED or char.isspace():
        return ""
    return unicodedata.normalize("NFD", char)[0]


def _locate(piece: str, sentences: list[list[Token]]) -> list[_Token]:
    """Find SoMaJo's tokens in ``piece`` in order; tokens that cannot be found are dropped."""
    key, where = [], []
    for i, char in enumerate(piece):
        folded = _fold(char)
        if folded:
            key.append(folded)
            where.append(i)
    folded_piece = "".join(key)
    tokens: list[_Token] = []
    cursor = 0
    for sentence in sentences:
        for somajo_token in sentence:
            text = somajo_token.original_spelling or somajo_token.text
            needle = "".join(_fold(c) for c in text)
            found = _find(folded_piece, needle, cursor)
            if found is None:
                continue
            cursor = found + len(needle)
            end = _extend_marks(piece, where[cursor - 1] + 1)
            kind = somajo_token.token_class or "regular"
            tokens.append(_Token(somajo_token.text, kind, where[found], end, eos=False))
        if tokens:
            tokens[-1].eos = True
    return tokens


def _find(haystack: str, needle: str, cursor: int) -> int | None:
    """Offset of ``needle`` at or shortly after ``cursor``."""
    if not needle:
        return None
    if haystack.startswith(needle, cursor):
        return cursor
    found = haystack.find(needle, cursor, cursor + len(needle) + 20)
    return found if found >= 0 else None


def _extend_marks(piece: str, end: int) -> int:
    """Move ``end`` past combining marks that belong to the preceding character."""
    while end < len(piece) and unicodedata.category(piece[end]).startswith("M"):
        end += 1
    return end


def _apply_rules(tokens: list[_Token], line: str) -> list[_Token]:
    """Fix SoMaJo's boundaries where it gets German news wrong."""
    for i in range(len(tokens) - 1):
        if tokens[i].eos and (_omission_mark(tokens, i) or _glued_period(tokens[i], line)):
            tokens[i].eos = False
        elif not tokens[i].eos and _missed_end(tokens, i, line):
            tokens[i].eos = True
    for i in range(len(tokens) - 1):
        if tokens[i].eos:  # a closing quote or bracket belongs to the sentence it closes
            tokens[i].eos = False
            tokens[_closing_run(tokens, i, line)].eos = True
    return tokens


def _missed_end(tokens: list[_Token], i: int, line: str) -> bool:
    """Does a sentence end after ``tokens[i]`` that SoMaJo did not see?"""
    token = tokens[i]
    if _glued_period(token, line):
        return False
    rule = _RULES.get(token.kind)
    if rule is None and not _FINAL_PUNCT.match(token.text):
        return False
    if i == 0 or tokens[i - 1].eos:
        return False  # an enumeration ("1. Die Steuer …") or a lone abbreviation
    after = _word_after(tokens, _closing_run(tokens, i, line))
    if after is None:
        return False
    if rule is None:  # "… um 4,5 Prozent. 10.000 Menschen …"
        return after.text[0].isdigit()
    return rule(tokens, i, after, line)


def _number_ends(tokens: list[_Token], i: int, after: _Token, line: str) -> bool:
    """A sentence ends after "3." in "Platz 3. Der …", not in "am 3. Oktober" or "der 3. Platz"."""
    if after.text in _MONTHS or not after.text[0].isupper():
        return False
    if after.text in _SENTENCE_STARTS:
        return True
    if not tokens[i].text[0].isdigit():
        return False
    before = tokens[i - 1]
    if before.text in {",", ":"}:  # "auf 4,5. Slowenien …", "endete 2:1. Schiedsrichter …"
        return line[before.start - 1 : before.start].isdigit() and before.end == tokens[i].start
    return before.text[0].isupper() and before.text.lower() not in _ORDINAL_CONTEXT


def _abbreviation_ends(tokens: list[_Token], i: int, after: _Token, line: str) -> bool:
    """A sentence ends after "Tirol." in "… Tirol. Die …", not after "B." in "z. B. Die Linke"."""
    text, before = tokens[i].text, tokens[i - 1]
    if before.end == tokens[i].start and before.text[-1] in "'’":  # "war's." read as "war'" "s."
        return after.text[0].isupper() or after.text[0].isdigit()
    if after.text not in _SENTENCE_STARTS:
        return False
    if text in _FINAL_ABBREVIATIONS:
        return True
    pair = f"{before.text} {text}"
    return text[0].isupper() and text not in _TITLES and pair not in _INNER_PAIRS


def _date_ends(tokens: list[_Token], i: int, after: _Token, line: str) -> bool:
    """A sentence ends after "31.12." in "… endet am 31.12. Die …" and "… am 31.12. Merz
    kritisierte …", not in "am 31.12. Geburtstag", "…, der am 31.12. Geburtstag hatte" or
    "die am 31.12. Verstorbene"."""
    if not tokens[i].text.endswith(".") or not after.text[0].isupper():
        return False
    if after.text in _SENTENCE_STARTS:
        return True
    k = next(k for k in range(i + 1, len(tokens)) if tokens[k] is after)
    if k + 2 < len(tokens) and tokens[k + 1].text[0].isupper():
        k += 1  # "Ministerin Paus", "Friedrich Merz"
    verb = tokens[k + 1].text if k + 1 < len(tokens) else ""
    past = verb.isalpha() and verb.islower() and len(verb) > 3
    if not past or not (verb.endswith(("te", "ten")) or verb in _STRONG_PAST):
        return False  # "am 31.12. Geburtstag feiern"
    start = i
    while start > 0 and tokens[start - 1].kind == "date":
        start -= 1
    before = [t.text.lower() for t in tokens[max(0, start - 2) : start]]
    if before and before[0] in _ORDINAL_CONTEXT and len(before) == 2:
        return False  # "die am 31.12. Verstorbene …": an attribute, not the end of a clause
    clause = start
    while clause > 0 and not (tokens[clause - 1].eos or tokens[clause - 1].text in {",", ";"}):
        clause -= 1
    first = tokens[clause].text.lower()
    after_comma = clause > 0 and tokens[clause - 1].text == ","
    return first not in _SUBORDINATORS and not (after_comma and first in _RELATIVES)


_RULES = {"ordinal": _number_ends, "abbreviation": _abbreviation_ends, "date": _date_ends}


def _glued_period(token: _Token, line: str) -> bool:
    """A period with a digit right after it ("BA.4", "Abs.2"), or between a number and an
    abbreviation ("5.Abs.2"), never ends a sentence; "2020.Die Regierung" (a space lost in
    scraping) still does."""
    if not token.text.endswith(".") or token.end >= len(line):
        return False
    after = line[token.end]
    before = line[token.end - 2] if token.end >= 2 else ""
    return after.isdigit() or (
        before.isdigit() and bool(_GLUED_ABBREVIATION.match(line, token.end))
    )


_GLUED_ABBREVIATION = re.compile(r"[^\W\d_]{1,4}\.")


def _omission_mark(tokens: list[_Token], i: int) -> bool:
    """Is ``tokens[i]`` the end of an omission mark, "[…]" or "(…)"?"""
    if i < 2 or tokens[i].text not in {"]", ")"}:
        return False
    return tokens[i - 2].text in {"[", "("} and tokens[i - 1].text in {"…", "..."}


def _closing_run(tokens: list[_Token], i: int, line: str) -> int:
    """Index of the last closing quote or bracket attached to ``tokens[i]`` ("gehen.'")."""
    j = i
    while j + 1 < len(tokens) and tokens[j + 1].text in _CLOSING:
        if tokens[j + 1].start != tokens[j].end:
            break
        j += 1
    end = tokens[j].end
    return j if end == len(line) or line[end].isspace() else i


def _word_after(tokens: list[_Token], i: int) -> _Token | None:
    """The first token after ``tokens[i]`` that is not opening punctuation."""
    for j in range(i + 1, len(tokens)):
        if tokens[j].text not in _OPENING:
            return tokens[j]
    return None


@lru_cache(maxsize=1)
def _default_splitter() -> SentenceSplitter:
    return SentenceSplitter()


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` with a shared :class:`SentenceSplitter`, created on first use."""
    return _default_splitter().split(text)
