"""The `haltung` command: predict, validate-data, ui; bad input ends in one clear message."""

from __future__ import annotations

import json
import os
import signal

import pytest

from conftest import (
    BIN,
    ROOT,
    free_port,
    new_store,
    run_in_process,
    run_script,
    start_server,
    wait_for_server,
)
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.models import build_estimator
from haltung.tracking.pyfunc import save_model_folder

STANCE = ("supportive", "critical", "evasive", "none")


@pytest.fixture(scope="module")
def model_dir(stance_path, tmp_path_factory):
    records = load_dataset(DataSpec(path=stance_path), STANCE).frame
    estimator = build_estimator(compose(["model=tfidf_logreg"]).model)
    estimator.fit(records[["text", "actor"]], records["label"])
    folder = tmp_path_factory.mktemp("cli") / "model"
    return save_model_folder(estimator, STANCE, folder, records[["text", "actor"]].head(2))


SENTENCES = [
    "„Dazu werden wir uns zu gegebener Zeit äußern“, sagte der Sprecher.",
    "Die Gewerkschaft lehnte das Angebot als völlig unzureichend ab.",
    "Am 6. August trafen sich 10.000 Menschen in Köln.",
]


def test_predict_plain_lines_from_a_file_as_table(model_dir, tmp_path):
    source = tmp_path / "sentences.txt"
    source.write_text("\n".join(SENTENCES) + "\n\n", "utf-8")
    done = run_in_process("haltung", "predict", "--model", str(model_dir), str(source))
    assert done.returncode == 0, done.stderr
    assert "10.000 Menschen" in done.stdout and "label" in done.stdout


def test_predict_jsonl_from_stdin_as_jsonl(model_dir):
    lines = [
        json.dumps({"text": t, "actor": a}, ensure_ascii=False)
        for t, a in zip(SENTENCES, ["der Sprecher", "Die Gewerkschaft", ""], strict=True)
    ]
    done = run_script(
        "haltung",
        "predict",
        "--model",
        str(model_dir),
        "--format",
        "jsonl",
        "-",
        stdin="\n".join(lines),
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in rows] == SENTENCES
    assert rows[1]["actor"] == "Die Gewerkschaft"
    for row in rows:
        assert row["label"] in STANCE
        assert sum(row["probabilities"].values()) == pytest.approx(1, abs=1e-4)
        assert row["score"] == max(row["probabilities"].values())


def test_predict_csv(model_dir):
    done = run_in_process(
        "haltung",
        "predict",
        "--model",
        str(model_dir),
        "--format",
        "csv",
        stdin="\n".join(SENTENCES),
    )
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header == "text,actor,label,supportive,critical,evasive,none"
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (b"", [], "holds no sentences"),
        ("Ein Satz mit Umlaut: Müller.".encode("cp1252"), [], "not valid utf-8"),
        (b'{"text": "ok"}\n{"text": \n', [], "line 2: not valid JSON"),
        (b'{"actor": "X"}\n', [], "needs a non-empty `text`"),
    ],
)
def test_predict_bad_input(model_dir, tmp_path, content, extra, message):
    source = tmp_path / "input.txt"
    source.write_bytes(content)
    done = run_in_process("haltung", "predict", "--model", str(model_dir), str(source), *extra)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_predict_reads_legacy_encodings_when_asked(model_dir, tmp_path):
    source = tmp_path / "input.txt"
    source.write_bytes("Bürgermeister Müller begrüßte den Beschluss.".encode("cp1252"))
    done = run_in_process(
        "haltung",
        "predict",
        "--model",
        str(model_dir),
        str(source),
        "--encoding",
        "cp1252",
        "--format",
        "jsonl",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["text"] == "Bürgermeister Müller begrüßte den Beschluss."


def test_predict_missing_model(tmp_path):
    done = run_in_process(
        "haltung", "predict", "--model", str(tmp_path / "none"), stdin="Ein Satz."
    )
    assert done.returncode == 2
    assert "neither a folder nor an MLflow model URI" in done.stderr


def test_validate_data_summarises_a_valid_file(stance_path):
    done = run_in_process("haltung", "validate-data", str(stance_path))
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "valid" in out and "records: 124" in out and "documents: 24" in out
    for label in STANCE:
        assert label in out
    assert "25.0%" in out and "sha256" in out


def test_validate_data_finds_the_matching_data_config():
    path = ROOT / "tests" / "fixtures" / "mini_sentiment.jsonl"
    done = run_in_process("haltung", "validate-data", str(path), "--task", "sentiment")
    assert done.returncode == 0, done.stderr
    assert "mini_sentiment" in done.stdout and "records: 45" in " ".join(done.stdout.split())


def test_validate_data_reports_problems_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,doc_id,text,label\n1,d,,none\n2,d,Gut.,pro\n", "utf-8")
    done = run_in_process("haltung", "validate-data", str(bad))
    assert done.returncode == 2
    assert "row 1 (line 2), field 'text': the text is empty" in done.stderr
    assert "row 2 (line 3), field 'label': unknown label 'pro'" in done.stderr
    assert "Traceback" not in done.stderr


def test_ui_serves_the_project_store(tmp_path, empty_store):
    port = free_port()
    uri = new_store(empty_store, tmp_path)
    log = tmp_path / "ui.log"
    process = start_server(
        [str(BIN / "haltung"), "ui", "--port", str(port), "--tracking-uri", uri],
        log,
        cwd=ROOT,
        start_new_session=True,  # its own process group: the server's workers stop with it
    )
    try:
        wait_for_server(f"http://127.0.0.1:{port}/health", process, 90, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_ui_refuses_an_unreachable_server():
    done = run_in_process("haltung", "ui", "--tracking-uri", "http://127.0.0.1:9")
    assert done.returncode == 2 and "cannot be reached" in done.stderr


def test_predict_table_shows_the_text_as_it_is(model_dir, tmp_path, monkeypatch):
    """Rich markup in a sentence is text: no crash on "[/b]", nothing dropped (#bug 1)."""
    monkeypatch.setenv("COLUMNS", "300")  # one table line per row: nothing folded
    sentences = [
        "Merz sagte, das sei [/b] falsch.",
        "Scholz nannte [bold]das[/bold] gut.",
        "Es sei [link=http://x]falsch[/link] :thumbs_up:.",
    ]
    lines = [json.dumps({"text": sentences[0], "actor": "[i]Merz"})] + [
        json.dumps({"text": s}) for s in sentences[1:]
    ]
    done = run_in_process("haltung", "predict", "--model", str(model_dir), stdin="\n".join(lines))
    assert done.returncode == 0, done.stderr
    for text in [*sentences, "[i]Merz"]:
        assert text in done.stdout


def test_predict_splits_lines_at_newlines_only(model_dir, tmp_path):
    """U+2028 inside a JSON string and U+0085 in Latin-1 text end no line (#bug 7)."""
    source = tmp_path / "input.jsonl"
    text = "Der Minister\u2028lehnte den Plan ab."
    source.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\r\n", "utf-8")
    args = ("predict", "--model", str(model_dir), "--format", "jsonl")
    done = run_in_process("haltung", *args, str(source))
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["text"] for line in done.stdout.strip().split("\n")] == [text]
    plain = tmp_path / "latin.txt"
    plain.write_bytes(b"Der Minister \x85 lehnte ab.\r\nZweiter Satz.\n")
    done = run_in_process("haltung", *args, "--encoding", "latin-1", str(plain))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line)["text"] for line in done.stdout.strip().split("\n")]
    assert rows == ["Der Minister \x85 lehnte ab.", "Zweiter Satz."]


def test_predict_refuses_binary_input_as_analyze_does(model_dir, tmp_path):
    """The check analyze makes (#bug 8): no garbage lines, and UTF-16 is named as such."""
    binary = tmp_path / "program"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00" + bytes(range(256)) * 8)
    args = ("predict", "--model", str(model_dir))
    done = run_in_process("haltung", *args, "--encoding", "latin-1", str(binary))
    assert done.returncode == 2 and done.stdout == ""
    assert "looks like a binary file" in done.stderr
    wide = tmp_path / "wide.txt"
    wide.write_text("Der Minister lehnte den Plan ab.\n", "utf-16")
    done = run_in_process("haltung", *args, str(wide))
    assert done.returncode == 2 and "pass --encoding utf-16" in done.stderr
    assert "cp1252" not in done.stderr
    done = run_in_process("haltung", *args, "--encoding", "utf-16", "--format", "csv", str(wide))
    assert done.returncode == 0, done.stderr
    assert "Der Minister lehnte den Plan ab." in done.stdout
