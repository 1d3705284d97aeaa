"""Stand-off annotations: labels shipped without the text, joined with the sources at build time.

Each line of an annotation file names its sentence by source, source id and character offsets,
with a short SHA-256 of the sentence, so that a build fails (naming the record) when a source
no longer holds the annotated text:

    {"id": "fq-wp18-007-0010-03-1", "source": "bundestag-fragestunde", "source_id": "wp18-007-0010",
     "start": 70, "end": 177, "sha256": "1f0c…", "doc_id": "fq-wp18-007", "split": "train",
     "actor": "…", "target": "…", "label": "critical", "stratum": "cue"}

`build_corpus` writes one JSONL file per source (text and, for answers, the question as
`context` filled in) and a `BUILD.yaml` that records what it was built from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import yaml

from haltung.data.sources import FRAGESTUNDE, READERS, source_file
from haltung.errors import DataError

BUILD_FILE = "BUILD.yaml"  # not a data suffix: the loader reads every .json/.jsonl here
HASH_CHARS = 16
#: Fields of an annotation line.
REQUIRED = ("id", "source", "source_id", "start", "end", "sha256", "doc_id", "split", "label")


def sentence_hash(text: str) -> str:
    """The first 16 hex digits of the sentence's UTF-8 SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_annotations(path: Path) -> list[dict]:
    """The annotation lines, checked for the fields a build needs."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: the annotations cannot be read ({err}).") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}, line {number}: not valid JSON ({err.msg}).") from None
        missing = [f for f in REQUIRED if f not in record]
        if missing:
            raise DataError(f"{path}, line {number}: missing {', '.join(missing)}.")
        if record["source"] not in READERS:
            raise DataError(
                f"{path}, line {number}: unknown source '{record['source']}' "
                f"(known: {', '.join(READERS)})."
            )
        records.append(record)
    if not records:
        raise DataError(f"{path} holds no annotations.")
    return records


def join_text(records: list[dict], source_dir: Path) -> list[dict]:
    """Each annotation with its sentence (and context) from the sources; checks every hash."""
    sources = {}
    for name in sorted({r["source"] for r in records}):
        reader, _ = READERS[name]
        sources[name] = reader(source_file(source_dir, name))
    joined, problems = [], []
    for r in records:
        row = sources[r["source"]].get(str(r["source_id"]))
        if row is None:
            problems.append(f"{r['id']}: {r['source']} has no item '{r['source_id']}'")
            continue
        _, field = READERS[r["source"]]
        text = str(row.get(field) or "")[int(r["start"]) : int(r["end"])]
        if sentence_hash(text) != r["sha256"]:
            problems.append(
                f"{r['id']}: the text at {r['source']} '{r['source_id']}' "
                f"[{r['start']}:{r['end']}] no longer matches its hash"
            )
            continue
        context = str(row.get("question") or "") if r["source"] == FRAGESTUNDE else ""
        joined.append({**_fields(r), "text": text, "context": context})
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise DataError(
            f"{len(problems)} annotations do not match the sources in {source_dir}: {shown}{more}. "
            "The source files must be the versions the dataset cards describe."
        )
    return joined


def build_corpus(annotations: Path, source_dir: Path, out_dir: Path) -> dict[str, int]:
    """Join `annotations` with the sources; write `<out_dir>/<source>.jsonl` and BUILD.yaml.

    The folder is replaced in one step, so a failed build never leaves a partial corpus.
    Returns the number of records per source.
    """
    records = join_text(read_annotations(annotations), source_dir)
    out_dir = Path(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    counts: dict[str, int] = {}
    try:
        for name in sorted({r["source"] for r in records}):
            rows = [r for r in records if r["source"] == name]
            counts[name] = len(rows)
            with (staging / f"{_file_stem(name)}.jsonl").open("w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        info = {"annotations": str(annotations), "annotations_sha256": file_digest(annotations)}
        (staging / BUILD_FILE).write_text(yaml.safe_dump(info | {"records": counts}), "utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir, ignore_errors=True)
        try:
            staging.replace(out_dir)
        except OSError:
            if not is_current(out_dir, annotations):  # else a concurrent build finished first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def is_current(out_dir: Path, annotations: Path) -> bool:
    """True when `out_dir` was built from the present version of `annotations`."""
    try:
        info = yaml.safe_load((Path(out_dir) / BUILD_FILE).read_text("utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False
    if not isinstance(info, dict) or not Path(annotations).is_file():
        return False
    return info.get("annotations_sha256") == file_digest(annotations)


def _fields(record: dict) -> dict:
    keep = ("id", "doc_id", "split", "actor", "target", "label", "source", "source_id", "stratum")
    return {k: record.get(k, "") for k in keep}


def _file_stem(source: str) -> str:
    return "fragestunde" if source == FRAGESTUNDE else source
