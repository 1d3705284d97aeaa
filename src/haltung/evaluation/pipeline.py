"""The whole chain on annotated documents: segmentation, actor detection, end-to-end stance.

Documents are rebuilt from gold records (or read from the original article); the caller runs
them through its analyzer (`haltung.analyze`) and hands the rows of each document here, to be
compared with the gold. Nothing here runs a model or imports the application.

- segmentation: share of gold sentences reproduced exactly (and of predicted ones that are gold);
- actors: precision/recall on normalised actor strings of exactly segmented sentences, strict
  (equal) and lenient (one contains the other, or the same last word: "Rutte" ~ "Mark Rutte");
- end to end: every gold record gets the stance predicted for its sentence and a matching actor
  (`none` when the pipeline missed it), scored with the task's metrics (F_stance, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from haltung.evaluation.metrics import evaluate
from haltung.task import Task
from haltung.text.actors import actors_match


@dataclass
class GoldDocument:
    """An annotated document: its text and its gold records (sentence, actor, label)."""

    doc_id: str
    text: str
    records: pd.DataFrame  # columns: text, actor, label


SENTENCE_END = re.compile(r"[.!?…][“”\"»«’)]*$")


def article_text(sentences: Sequence[str]) -> str:
    """Gold sentences as an article: one paragraph, headings (no final punctuation) on own lines."""
    lines: list[list[str]] = [[]]
    for sentence in sentences:
        if SENTENCE_END.search(sentence):
            lines[-1].append(sentence)
        else:
            lines += [[sentence], []]
    return "\n".join(" ".join(line) for line in lines if line)


def corpus_documents(frame: pd.DataFrame) -> list[GoldDocument]:
    """Rebuild articles from corpus records (see `article_text`)."""
    return [
        GoldDocument(
            str(doc_id),
            article_text(records.drop_duplicates("text")["text"].tolist()),
            records[["text", "actor", "label"]],
        )
        for doc_id, records in frame.groupby("doc_id", sort=True)
    ]


def article_document(path: Path, records: pd.DataFrame, doc_id: str) -> GoldDocument:
    """A real article file and its gold records."""
    return GoldDocument(doc_id, path.read_text("utf-8"), records[["text", "actor", "label"]])


def evaluate_pipeline(
    rows_by_document: Iterable[tuple[GoldDocument, pd.DataFrame]], task: Task
) -> dict:
    """Score the rows predicted for each document against its gold.

    The rows have the columns of `haltung.analyze.COLUMNS` (sentence_index, sentence, actor,
    stance at least). Returns {"metrics", "evaluation" (end to end), "rows" (gold joined with
    the predictions)}.
    """
    seg = {"gold": 0, "predicted": 0, "exact": 0}
    actor_counts = {m: {"tp_p": 0, "tp_g": 0, "pred": 0, "gold": 0} for m in ("strict", "lenient")}
    joined = []
    for document, rows in rows_by_document:
        gold_sentences = document.records.drop_duplicates("text")["text"].tolist()
        predicted_sentences = rows.drop_duplicates("sentence_index")["sentence"].tolist()
        exact = set(gold_sentences) & set(predicted_sentences)
        seg["gold"] += len(gold_sentences)
        seg["predicted"] += len(predicted_sentences)
        seg["exact"] += len(exact)
        for sentence in exact:
            gold = [
                a for a in document.records.loc[document.records["text"] == sentence, "actor"] if a
            ]
            found = [a for a in rows.loc[rows["sentence"] == sentence, "actor"] if a]
            for mode, counts in actor_counts.items():
                lenient = mode == "lenient"
                counts["pred"] += len(set(found))
                counts["gold"] += len(set(gold))
                counts["tp_p"] += sum(
                    any(actors_match(f, g, lenient) for g in gold) for f in set(found)
                )
                counts["tp_g"] += sum(
                    any(actors_match(f, g, lenient) for f in found) for g in set(gold)
                )
        for record in document.records.itertuples():
            candidates = rows[rows["sentence"] == record.text]
            if record.actor:
                hits = [
                    r
                    for r in candidates.itertuples()
                    if r.actor and actors_match(r.actor, record.actor)
                ]
            else:
                hits = [r for r in candidates.itertuples() if not r.actor] or list(
                    candidates.itertuples()
                )
            predicted = hits[0].stance if hits else "none"
            joined.append(
                {
                    "doc_id": document.doc_id,
                    "sentence": record.text,
                    "gold_actor": record.actor,
                    "found_actor": hits[0].actor if hits else "",
                    "gold": record.label,
                    "predicted": predicted,
                    "matched": bool(hits),
                }
            )
    table = pd.DataFrame(joined)
    end_to_end = evaluate(table["gold"].tolist(), table["predicted"].tolist(), task)
    metrics = {
        "segmentation_exact_match": seg["exact"] / max(seg["gold"], 1),
        "segmentation_precision": seg["exact"] / max(seg["predicted"], 1),
        "sentences_gold": float(seg["gold"]),
        "sentences_predicted": float(seg["predicted"]),
        "records_matched": float(table["matched"].mean()) if len(table) else 0.0,
    }
    for mode, c in actor_counts.items():
        precision = c["tp_p"] / max(c["pred"], 1)
        recall = c["tp_g"] / max(c["gold"], 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics |= {
            f"actor_{mode}_precision": precision,
            f"actor_{mode}_recall": recall,
            f"actor_{mode}_f1": f1,
        }
    metrics |= {f"e2e_{k}": v for k, v in end_to_end.metrics.items()}
    return {"metrics": metrics, "evaluation": end_to_end, "rows": table}
