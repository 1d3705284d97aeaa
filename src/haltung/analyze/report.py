"""The standalone HTML page of analysed articles, written as a stream.

Each article is shown sentence by sentence, coloured by the stance of its actor(s), with the
actor marked; a per-actor summary (actor → counts of each stance) closes the page. The page has
inline CSS and no scripts or external resources, so it opens in a browser without network.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from typing import TextIO

import pandas as pd

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
table{border-collapse:collapse;font-family:sans-serif;font-size:.9rem}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}td:first-child{text-align:left}
"""


class HtmlReport:
    """Write the page to `out` article by article; `close()` adds the actor summary."""

    def __init__(self, out: TextIO, *, title: str = "haltung: stances in the news"):
        self.out = out
        self.labels: list[str] = []
        self.counts: dict[str, Counter] = defaultdict(Counter)
        out.write(
            f"<!DOCTYPE html>\n<html lang='de'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
            f"<h1>{html.escape(title)}</h1>\n"
        )

    def write(self, rows: pd.DataFrame) -> None:
        """Add one article's rows (the columns of `haltung.analyze.COLUMNS`)."""
        if rows.empty:
            return
        self._remember_labels(rows["stance"])
        self.out.write(f"<h2>{html.escape(str(rows['doc_id'].iloc[0]))}</h2>\n<p>")
        for _, group in rows.groupby("sentence_index", sort=True):
            self.out.write(self._sentence(group) + "\n")
        self.out.write("</p>\n")
        for row in rows.itertuples():
            if row.actor:
                self.counts[row.actor][row.stance] += 1

    def close(self) -> None:
        """The legend, the per-actor table and the end of the page."""
        legend = "".join(
            f"<span style='background:{COLOURS.get(label, '#eee')}'>{html.escape(label)}</span>"
            for label in self.labels
        )
        self.out.write(
            f"<h2>Actors</h2>\n<p class='legend'>{legend}</p>\n<table><tr><th>actor</th>"
        )
        self.out.write("".join(f"<th>{html.escape(label)}</th>" for label in self.labels))
        self.out.write("<th>all</th></tr>\n")
        ranked = sorted(self.counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        for actor, counts in ranked:
            cells = "".join(f"<td>{counts.get(label, 0)}</td>" for label in self.labels)
            total = sum(counts.values())
            self.out.write(f"<tr><td>{html.escape(actor)}</td>{cells}<td>{total}</td></tr>\n")
        self.out.write("</table>\n</body></html>\n")

    def _remember_labels(self, stances: pd.Series) -> None:
        for label in stances.unique():
            if label not in self.labels:
                self.labels.append(label)

    def _sentence(self, group: pd.DataFrame) -> str:
        """The sentence coloured by its main stance (the most confident non-none row)."""
        text = str(group["sentence"].iloc[0])
        ranked = group.sort_values("score", ascending=False)
        stance_rows = ranked[ranked["stance"] != "none"]
        main = (stance_rows if len(stance_rows) else ranked).iloc[0]
        body = html.escape(text)
        tags = []
        for row in group.itertuples():
            if row.actor:
                marked = html.escape(row.actor)
                if marked in body:
                    body = body.replace(marked, f"<span class='a'>{marked}</span>", 1)
                tags.append(f"{marked}: {html.escape(row.stance)} {row.score:.2f}")
            else:
                tags.append(f"{html.escape(row.stance)} {row.score:.2f}")
        colour = COLOURS.get(main["stance"], "#eee")
        title = html.escape("; ".join(tags), quote=True)
        return (
            f"<span class='s' style='background:{colour}' title='{title}'>{body}</span>"
            f"<span class='tag'>[{'; '.join(tags)}]</span>"
        )
