"""The standalone HTML page of analysed articles, written as a stream.

The page names what made it (the model, where it was loaded from, the haltung version). Each
article is shown sentence by sentence, coloured by the stance of its actor(s), with the actor
marked; a sentence labelled without the model (a row with a `reason`, such as "no actor found")
is not coloured. A per-entity summary (entity → counts of each stance) closes the page. The page
has inline CSS and no scripts or external resources, so it opens in a browser without network.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any, NamedTuple, TextIO

import pandas as pd

from haltung.text.actors.tokens import INVISIBLE

#: The keys of `about` the page shows, in order, with their captions.
ABOUT = {
    "model": "model",
    "task": "task",
    "data": "trained on",
    "run_id": "run",
    "source": "loaded from",
    "haltung": "haltung",
}
COLOURS = {
    "supportive": "#d7f0d2",
    "critical": "#f8d4d0",
    "evasive": "#fbeec1",
    "none": "#ffffff",
    "positive": "#d7f0d2",
    "negative": "#f8d4d0",
    "neutral": "#ffffff",
}
STYLE = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-family:sans-serif}h2{font-family:sans-serif;font-size:1.1rem;margin-top:2.5rem}
.s{padding:.1rem .2rem;border-radius:.2rem;line-height:1.9}
.a{font-weight:bold;text-decoration:underline}
.tag{font-family:sans-serif;font-size:.7rem;color:#555;margin-left:.2rem}
.legend span{display:inline-block;padding:.1rem .5rem;margin-right:.4rem;font-family:sans-serif}
.about{font-family:sans-serif;font-size:.85rem;color:#444}.about b{color:#222}
table{border-collapse:collapse;font-family:sans-serif;font-size:.9rem}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}td:first-child{text-align:left}
"""


class HtmlReport:
    """Write the page to `out` article by article; `close()` adds the entity summary.

    `about` says what made the rows: its keys of `ABOUT` (model, task, data, run_id, source,
    haltung) are shown under the title, e.g. `{**classifier.info, "source": classifier.source,
    "haltung": haltung.__version__}`.
    """

    def __init__(
        self,
        out: TextIO,
        *,
        title: str = "haltung: stances in the news",
        about: Mapping[str, Any] | None = None,
    ):
        self.out = out
        self.labels: list[str] = []
        self.counts: dict[str, Counter] = defaultdict(Counter)
        out.write(
            f"<!DOCTYPE html>\n<html lang='de'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
            f"<h1>{html.escape(title)}</h1>\n{_about(about or {})}"
        )

    def write(self, rows: pd.DataFrame) -> None:
        """Add one article's rows (the columns of `haltung.analyze.COLUMNS`)."""
        if rows.empty:
            return
        records = _records(rows)
        for record in records:
            if record.stance not in self.labels:
                self.labels.append(record.stance)
        self.out.write(f"<h2>{html.escape(str(rows['doc_id'].iloc[0]))}</h2>\n<p>")
        sentences: dict[Any, list[_Row]] = defaultdict(list)
        for record in records:
            sentences[record.sentence_index].append(record)
        for index in sorted(sentences):
            self.out.write(self._sentence(sentences[index]) + "\n")
        self.out.write("</p>\n")
        for record in records:
            if record.actor:
                self.counts[record.entity or record.actor][record.stance] += 1

    def close(self) -> None:
        """The legend, the per-entity table and the end of the page."""
        legend = "".join(
            f"<span style='background:{COLOURS.get(label, '#eee')}'>{html.escape(label)}</span>"
            for label in self.labels
        )
        self.out.write(
            f"<h2>Actors</h2>\n<p class='legend'>{legend}</p>\n<table><tr><th>entity</th>"
        )
        self.out.write("".join(f"<th>{html.escape(label)}</th>" for label in self.labels))
        self.out.write("<th>all</th></tr>\n")
        ranked = sorted(self.counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        for actor, counts in ranked:
            cells = "".join(f"<td>{counts.get(label, 0)}</td>" for label in self.labels)
            total = sum(counts.values())
            self.out.write(f"<tr><td>{html.escape(actor)}</td>{cells}<td>{total}</td></tr>\n")
        self.out.write("</table>\n</body></html>\n")

    def _sentence(self, group: list[_Row]) -> str:
        """The sentence coloured by its main stance (the most confident non-none row); rows the
        model did not label (a `reason`) give no colour."""
        modelled = sorted((r for r in group if not r.reason), key=_score, reverse=True)
        main = next((r for r in modelled if r.stance != "none"), modelled[0] if modelled else None)
        body = html.escape(str(group[0].sentence))
        tags = []
        for row in group:
            said = (
                html.escape(row.reason)
                if row.reason
                else f"{html.escape(row.stance)} {row.score:.2f}"
            )
            if row.actor:
                body = _mark(body, row.actor)
                entity = row.entity or row.actor
                named = row.actor if entity == row.actor else f"{row.actor} = {entity}"
                tags.append(f"{html.escape(named)}: {said}")
            else:
                tags.append(said)
        colour = COLOURS.get(main.stance, "#eee") if main else "transparent"
        title = html.escape("; ".join(tags), quote=True)
        return (
            f"<span class='s' style='background:{colour}' title='{title}'>{body}</span>"
            f"<span class='tag'>[{'; '.join(tags)}]</span>"
        )


class _Row(NamedTuple):
    sentence_index: Any
    sentence: str
    actor: str
    entity: str
    stance: str
    score: float
    reason: str


def _records(rows: pd.DataFrame) -> list[_Row]:
    """The rows as plain tuples (pandas per row is slow); entity and reason may be missing."""
    blank = [""] * len(rows)
    columns = [rows[column].tolist() for column in ("sentence_index", "sentence", "actor")]
    entity = rows["entity"].tolist() if "entity" in rows else blank
    reason = rows["reason"].fillna("").tolist() if "reason" in rows else blank
    return [
        _Row(*row)
        for row in zip(
            *columns, entity, rows["stance"].tolist(), rows["score"].tolist(), reason, strict=True
        )
    ]


def _score(row: _Row) -> float:
    return row.score


def _about(about: Mapping[str, Any]) -> str:
    """The line that names the model, where it came from and the haltung version."""
    parts = [
        f"{caption} <b>{html.escape(str(about[key]))}</b>"
        for key, caption in ABOUT.items()
        if about.get(key) not in (None, "")
    ]
    return f"<p class='about'>{' · '.join(parts)}</p>\n" if parts else ""


def _mark(body: str, actor: str) -> str:
    """Underline the first place where `actor` is written in the (escaped) sentence, as whole
    words: a word may differ in its case ending („Verbündete“ marks „Verbündeten“ whole), but
    a mark never starts or ends inside a word, nor inside another mark."""
    pattern = _actor_pattern(actor)
    if pattern is None:
        return body
    for found in pattern.finditer(body):
        before = body[: found.start()]
        if before.count("<span") == before.count("</span>"):
            start, end = found.span()
            return f"{before}<span class='a'>{body[start:end]}</span>{body[end:]}"
    return body


@functools.lru_cache(maxsize=4096)
def _actor_pattern(actor: str) -> re.Pattern | None:
    """The pattern of `_mark` for `actor` (None when it has no words); kept, actors recur."""
    words = [html.escape(word) for word in actor.split()]
    if not words:
        return None
    return re.compile(
        r"(?<![\w>])"
        + r"\s+".join(_loose(_stem(word)) + _ENDINGS + r"(?![\w<])" for word in words)
    )


def _loose(word: str) -> str:
    """`word` as a pattern that lets invisible characters (a soft hyphen: „Bundes\u00adkanzler“)
    stand between its letters, as the actor finder ignores them."""
    return f"[{INVISIBLE}]*".join(re.escape(char) for char in word)


_ENDINGS = "(?:e|en|er|es|em|n|s|ns)?"


def _stem(word: str) -> str:
    """A word without the ending its case may change („Statistisches“ → „Statistisch“)."""
    if len(word) > 4 and word[-1:].isalpha():
        return re.sub(r"(?:e|en|er|es|em|n|s)$", "", word)
    return word
