"""Whole articles: `StanceClassifier.analyze`, `haltung analyze`, `haltung evaluate-pipeline`."""

from __future__ import annotations

import html
import io
import json
import os
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import BIN, ROOT, new_store, run_in_process, runs, script_env

pytest.importorskip("haltung.text.actors")
from haltung import StanceClassifier, __version__
from haltung.analyze import (
    COLUMNS,
    NO_ACTOR,
    Article,
    ArticleAnalyzer,
    HtmlReport,
    analyzer_options,
    atomic_output,
    build_detector,
    open_writer,
    read_articles,
)
from haltung.analyze.writers import output_format
from haltung.cli import main
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.data.loaders import iter_jsonl, read_file
from haltung.errors import ConfigError, DataError
from haltung.evaluation.pipeline import GoldDocument, evaluate_pipeline
from haltung.models import build_estimator
from haltung.task import Task
from haltung.tracking.pyfunc import save_model_folder

STANCE = ("supportive", "critical", "evasive", "none")
SEED = ROOT / "seeds" / "000_4d560e9d65afaa3b.txt"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """tfidf_logreg trained on the corpus's training split (a second or two)."""
    records = load_dataset(DataSpec.from_config(compose().data), STANCE).frame
    train = records[records["split"] == "train"]
    estimator = build_estimator(compose(["model=tfidf_logreg"]).model)
    estimator.fit(train[["text", "actor"]], train["label"])
    folder = tmp_path_factory.mktemp("analyze") / "model"
    meta = {"task": "stance", "model": "tfidf_logreg"}
    return save_model_folder(estimator, STANCE, folder, train[["text", "actor"]].head(2), meta)


@pytest.fixture(scope="module")
def classifier(model_dir):
    return StanceClassifier.load(model_dir)


def test_seed_article_gives_one_row_per_sentence_and_actor(classifier):
    rows = classifier.analyze(SEED.read_text("utf-8"), doc_id="seed")
    assert list(rows.columns) == COLUMNS
    assert rows["sentence_index"].nunique() == 29  # as annotated in data/seed-article
    assert rows["sentence_index"].min() == 1
    assert set(rows["stance"]) <= set(STANCE)
    assert rows["score"].between(0, 1).all()
    assert (rows["actor"] == "").any() and (rows["actor"] != "").any()
    china = rows[rows["sentence"].str.contains("Angelegenheit") & (rows["sentence_index"] == 1)]
    assert "China" in " ".join(china["actor"])


def test_sentence_without_actor_still_gets_a_row(classifier):
    rows = classifier.analyze("Die Sitzung dauerte drei Stunden. VERWANDTE GESCHICHTEN")
    assert len(rows) >= 2 and (rows["actor"] == "").all()


def test_a_100000_character_sentence(classifier):
    text = "Der Verband kritisierte " + "die sehr lange Liste " * 5000 + "scharf."
    started = time.perf_counter()
    rows = classifier.analyze(text)
    assert len(rows) >= 1 and time.perf_counter() - started < 60


def test_cli_table_jsonl_csv(model_dir):
    done = run_in_process(
        "haltung", "analyze", str(SEED), "--model", str(model_dir), "--format", "jsonl"
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["sentence_index"] for r in rows} == set(range(1, 30))
    assert set(rows[0]) == set(COLUMNS)
    done = run_in_process(
        "haltung", "analyze", str(SEED), "--model", str(model_dir), "--format", "csv"
    )
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS)
    done = run_in_process("haltung", "analyze", str(SEED), "--model", str(model_dir))
    assert done.returncode == 0 and "Lin Jian" in done.stdout


def test_html_report_is_standalone(model_dir, tmp_path):
    out = tmp_path / "report.html"
    done = run_in_process(
        "haltung",
        "analyze",
        str(SEED),
        "--model",
        str(model_dir),
        "--format",
        "html",
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from the network
    assert "<h2>Actors</h2>" in page and "Rutte" in page
    # the page names the model, where it was loaded from and the haltung version
    about = page[page.index("<p class='about'>") :].split("</p>")[0]
    assert "tfidf_logreg" in about and html.escape(str(model_dir)) in about
    assert f"haltung <b>{__version__}</b>" in about


def test_folder_and_jsonl_of_articles(model_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Die Gewerkschaft lehnte das Angebot ab.", "utf-8")
    (folder / "b.txt").write_text("Der Minister wollte sich nicht äußern.", "utf-8")
    done = run_in_process(
        "haltung", "analyze", str(folder), "--model", str(model_dir), "--format", "csv"
    )
    frame = pd.read_csv(pd.io.common.StringIO(done.stdout))
    assert set(frame["doc_id"]) == {"a", "b"}
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"id": f"x{i}", "text": "Er lobte den Plan."}) for i in range(3)),
        "utf-8",
    )
    done = run_in_process(
        "haltung", "analyze", str(jsonl), "--model", str(model_dir), "--format", "csv"
    )
    assert set(pd.read_csv(pd.io.common.StringIO(done.stdout))["doc_id"]) == {"x0", "x1", "x2"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"  \n", "is empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00", "binary"),
        ("latin.txt", "Der Bürgermeister lehnte ab.".encode("cp1252"), "--encoding cp1252"),
        ("bad.jsonl", b'{"id": 1, "text": "Gut."}\n{"id": 2, "text": \n', "line 2: not valid JSON"),
        ("notext.jsonl", b'{"id": 1}\n', "expected an object with a `text` string"),
    ],
)
def test_bad_input_is_one_clear_message(model_dir, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    done = run_in_process("haltung", "analyze", str(path), "--model", str(model_dir))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_legacy_encoding_on_request(model_dir, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Der Bürgermeister lehnte den Plan ab.".encode("cp1252"))
    done = run_in_process(
        "haltung",
        "analyze",
        str(path),
        "--model",
        str(model_dir),
        "--encoding",
        "cp1252",
        "--format",
        "jsonl",
    )
    assert done.returncode == 0, done.stderr
    assert "Bürgermeister" in json.loads(done.stdout.splitlines()[0])["sentence"]


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_a_failure_leaves_no_partial_output(model_dir, tmp_path, fmt):
    """A bad article in the middle: no half-written file, an existing one untouched (#13)."""
    path = tmp_path / "three.jsonl"
    good = [json.dumps({"id": f"a{i}", "text": "Der Minister lehnte den Plan ab."}) for i in (1, 2)]
    path.write_text("\n".join([*good, '{"id": "a3", "text": ']) + "\n", encoding="utf-8")
    out = tmp_path / "out" / f"out.{fmt}"
    out.parent.mkdir()
    args = ("analyze", str(path), "--model", str(model_dir), "--format", fmt, "--output", str(out))
    done = run_in_process("haltung", *args)
    assert done.returncode == 2 and "line 3" in done.stderr
    assert list(out.parent.iterdir()) == []  # neither the file nor a temporary one
    out.write_text("earlier results\n", encoding="utf-8")
    assert run_in_process("haltung", *args).returncode == 2
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    assert out.read_text(encoding="utf-8") == "earlier results\n"
    path.write_text("\n".join(good) + "\n", encoding="utf-8")  # the same, fixed
    done = run_in_process("haltung", *args)
    assert done.returncode == 0, done.stderr
    assert "a2" in out.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_utf16_input_with_its_encoding(model_dir, tmp_path, suffix):
    text = "Der Bürgermeister lehnte den Plan ab."
    path = tmp_path / f"wide{suffix}"
    content = json.dumps({"id": "wide", "text": text}) if suffix == ".jsonl" else text
    path.write_text(content + "\n", encoding="utf-16")
    args = ("analyze", str(path), "--model", str(model_dir), "--format", "jsonl")
    done = run_in_process("haltung", *args, "--encoding", "utf-16")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["sentence"] == text
    if suffix == ".txt":  # without the encoding: binary, with a hint
        done = run_in_process("haltung", *args)
        assert done.returncode == 2 and "--encoding utf-16" in done.stderr


def test_jsonl_data_files_in_utf16(tmp_path):
    path = tmp_path / "wide.jsonl"
    lines = [json.dumps({"text": "Gut, sagte Müller.", "label": "none"})] * 2
    path.write_text("\n".join(lines) + "\n", encoding="utf-16")
    assert [n for n, _ in iter_jsonl(path, encoding="utf-16")] == [1, 2]
    frame, _ = read_file(path, "jsonl", "utf-16")
    assert frame["text"].tolist() == ["Gut, sagte Müller."] * 2


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`haltung analyze … | head -1`: no traceback when the reader goes away (#13)."""
    path = tmp_path / "long.txt"  # output larger than a pipe's buffer
    path.write_text("\n\n".join([SEED.read_text(encoding="utf-8")] * 30), encoding="utf-8")
    model = ROOT / "tests" / "fixtures" / "saved-2026-12-04" / "tfidf_logreg"
    command = [str(BIN / "haltung"), "analyze", str(path), "--model", str(model), "--format", "csv"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=script_env(), cwd=ROOT
    )
    assert process.stdout.readline().startswith(b"doc_id,")
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    assert process.wait(timeout=120) in (0, 141)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


def test_jsonl_is_read_as_a_stream(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Erster Artikel."}) + "\n{broken\n", "utf-8")
    articles = read_articles(path)
    assert next(articles).id == "a"  # yielded before the broken line is read
    with pytest.raises(DataError, match="line 2"):
        next(articles)


def test_evaluate_pipeline_on_the_seed_article(model_dir, tmp_path, empty_store):
    uri = new_store(empty_store, tmp_path)
    done = run_in_process(
        "haltung",
        "evaluate-pipeline",
        "--model",
        str(model_dir),
        "--split",
        "",
        "--tracking-uri",
        uri,
    )
    assert done.returncode == 0, done.stderr
    assert "segmentation_exact_match" in done.stdout
    (run,) = runs(uri, "haltung-pipeline")
    metrics = run.data.metrics
    assert metrics["seed_article_sentences_gold"] == 29
    assert 0 <= metrics["seed_article_e2e_f_stance"] <= 1
    assert metrics["seed_article_segmentation_exact_match"] > 0.8


# --------------------------------------------------------------------------- the stages alone
def test_build_detector_from_the_composed_config():
    detector = build_detector(compose(["analyze.max_actors=1"]).analyze)
    (found,) = detector.detect(["Der Verband kritisierte den Plan, sagte Ministerin Müller."])
    assert len(found) == 1


def test_build_detector_with_a_missing_spacy_model_is_a_config_error():
    cfg = compose(["analyze.detector=spacy", "analyze.spacy_model=xx_no_such_pipeline"]).analyze
    with pytest.raises(ConfigError, match="xx_no_such_pipeline"):
        build_detector(cfg).detect(["Ein Satz."])


def test_cli_reports_a_missing_spacy_model_in_one_line(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Die Gewerkschaft lehnte das Angebot ab.", "utf-8")
    code = main(
        [
            "analyze",
            str(article),
            "analyze.detector=spacy",
            "analyze.spacy_model=xx_no_such_pipeline",
            "--model",
            str(tmp_path / "never-loaded"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "xx_no_such_pipeline" in err and "Traceback" not in err


def test_analyzer_with_a_plain_function_and_no_classifier():
    def classify(texts: list[str], actors: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "pro": [0.8 if a else 0.1 for a in actors],
                "contra": [0.2 if a else 0.9 for a in actors],
            }
        )

    rows = ArticleAnalyzer(classify).rows(
        Article("a", "Die Gewerkschaft lehnte das Angebot ab. Es regnete.")
    )
    assert list(rows.columns) == COLUMNS
    assert rows["sentence_index"].tolist()[-1] == 2 and set(rows["doc_id"]) == {"a"}
    assert set(rows["stance"]) <= {"pro", "contra"}
    assert (rows.loc[rows["actor"] == "", "stance"] == "contra").all()
    assert rows.loc[rows["actor"] == "", "score"].tolist() == [0.9]


def test_actorless_sentences_are_none_and_the_model_is_not_asked():
    asked: list[str] = []

    def classify(texts: list[str], actors: list[str]) -> pd.DataFrame:
        asked.extend(actors)
        return pd.DataFrame({"supportive": 0.1, "critical": 0.8, "none": 0.1}, index=actors)

    article = Article(
        "a",
        "Herausgegeben von Mike Firn. Die Gewerkschaft lehnte das Angebot ab.\n"
        "VERWANDTE GESCHICHTEN",
    )
    analyzer = ArticleAnalyzer(classify)
    rows = analyzer.rows(article)
    assert list(rows.columns) == COLUMNS
    actorless = rows[rows["actor"] == ""]
    assert len(actorless) == 2 and (actorless["stance"] == "none").all()
    assert (actorless["score"] == 1.0).all() and (actorless["reason"] == NO_ACTOR).all()
    assert asked == ["Gewerkschaft"]  # only the sentence with an actor went to the model
    assert rows.loc[rows["actor"] != "", "reason"].tolist() == [""]

    asked.clear()
    ask_anyway = ArticleAnalyzer(
        classify, splitter=analyzer.splitter, detector=analyzer.detector, actorless="classify"
    )
    rows = ask_anyway.rows(article)
    assert asked.count("") == 2 and (rows["reason"] == "").all()
    assert (rows.loc[rows["actor"] == "", "stance"] == "critical").all()

    asked.clear()  # a model whose labels are not known yet is asked once, then overruled
    fresh = ArticleAnalyzer(classify, splitter=analyzer.splitter, detector=analyzer.detector)
    rows = fresh.rows(Article("b", "Es regnete."))
    assert asked == [""] and rows["stance"].tolist() == ["none"]
    assert rows["reason"].tolist() == [NO_ACTOR]


def test_actorless_is_configured_in_the_analyze_group():
    assert analyzer_options(compose().analyze) == {"actorless": "none"}
    cfg = compose(["analyze.actorless=classify"]).analyze
    assert analyzer_options(cfg) == {"actorless": "classify"}
    with pytest.raises(ConfigError, match="actorless"):
        analyzer_options(compose(["analyze.actorless=maybe"]).analyze)


def test_rows_name_the_entity_of_each_actor(classifier):
    rows = classifier.analyze(
        "NATO-Generalsekretär Mark Rutte sagte, Europa müsse mehr tun. "
        "Rutte forderte mehr Geld. Die USA lehnten den Plan ab. "
        "Die Vereinigten Staaten kritisierten die Einigung."
    )
    named = dict(zip(rows["actor"], rows["entity"], strict=True))
    assert named["NATO-Generalsekretär Mark Rutte"] == named["Rutte"] == "Mark Rutte"
    assert named["USA"] == named["Vereinigte Staaten"] == "USA"


def test_html_report_groups_by_entity_and_leaves_actorless_rows_uncoloured():
    rows = pd.DataFrame(
        [
            (
                "d",
                1,
                "NATO-Generalsekretär Mark Rutte lobte es.",
                "NATO-Generalsekretär Mark Rutte",
                "Mark Rutte",
                "supportive",
                0.7,
                "",
            ),
            ("d", 2, "Rutte kritisierte den Plan.", "Rutte", "Mark Rutte", "critical", 0.6, ""),
            (
                "d",
                3,
                "Die Verbündeten forderten mehr.",
                "Verbündete",
                "Verbündete",
                "critical",
                0.5,
                "",
            ),
            ("d", 4, "VERWANDTE GESCHICHTEN", "", "", "none", 1.0, NO_ACTOR),
            # the actor finder ignores the soft hyphen; the mark still finds the word
            (
                "d",
                5,
                "Der Bundes\u00adkanzler lobte ihn.",
                "Bundeskanzler",
                "",
                "supportive",
                0.8,
                "",
            ),
        ],
        columns=COLUMNS,
    )
    out = io.StringIO()
    about = {"model": "tfidf_logreg", "task": "stance", "source": "runs:/abc/model"}
    report = HtmlReport(out, about={**about, "haltung": "9.9"})
    report.write(rows)
    report.close()
    page = out.getvalue()
    assert "model <b>tfidf_logreg</b>" in page and "runs:/abc/model" in page
    assert "haltung <b>9.9</b>" in page
    table = page[page.index("<table>") :]
    assert "<td>Mark Rutte</td><td>1</td><td>1</td><td>0</td><td>2</td>" in table
    assert "<td>Rutte</td>" not in table and "Generalsekretär" not in table
    assert "<span class='a'>Verbündeten</span>" in page  # marked whole, never cut
    assert "Verbündete</span>n" not in page
    assert "<span class='a'>Bundes\u00adkanzler</span>" in page
    assert "style='background:transparent' title='no actor found'>VERWANDTE" in page


def test_evaluate_pipeline_on_rows_built_by_hand():
    sentences = ["Minister Müller lobte den Plan.", "Die Gewerkschaft lehnte ab.", "Es regnete."]
    gold = GoldDocument(
        "d1",
        " ".join(sentences),
        pd.DataFrame(
            {
                "text": sentences,
                "actor": ["Minister Müller", "Die Gewerkschaft", ""],
                "label": ["supportive", "critical", "none"],
            }
        ),
    )
    rows = pd.DataFrame(
        [
            ("d1", 1, sentences[0], "Müller", "supportive", 0.9),
            ("d1", 2, sentences[1], "Gewerkschaft", "evasive", 0.6),
            ("d1", 3, "Es regnete", "", "none", 0.7),  # split differently from the gold
        ],
        columns=["doc_id", "sentence_index", "sentence", "actor", "stance", "score"],
    )
    result = evaluate_pipeline([(gold, rows)], Task("stance", STANCE))
    metrics = result["metrics"]
    assert metrics["segmentation_exact_match"] == pytest.approx(2 / 3)
    assert metrics["segmentation_precision"] == pytest.approx(2 / 3)
    assert metrics["actor_strict_precision"] == 0.5 and metrics["actor_strict_recall"] == 0.5
    assert metrics["actor_lenient_precision"] == 1 and metrics["actor_lenient_recall"] == 1
    assert metrics["records_matched"] == pytest.approx(2 / 3)
    assert metrics["e2e_f1_supportive"] == 1 and metrics["e2e_f1_critical"] == 0
    joined = result["rows"]
    assert joined["predicted"].tolist() == ["supportive", "evasive", "none"]
    assert joined["found_actor"].tolist() == ["Müller", "Gewerkschaft", ""]


# --------------------------------------------------------------------------- the JSONL reader
@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        (b'{"a": 1}\n\x00\x01PNG\n', "utf-8", "lines.jsonl, line 2: binary data"),
        (b'{"a": 1}\n\n{"a": \n', "utf-8", "lines.jsonl, line 3: not valid JSON"),
        (b'{"a": 1}\n[1, 2]\n', "utf-8", "line 2: expected a JSON object, found list"),
        ('{"a": "Müller"}\n'.encode("cp1252"), "utf-8", "line 1: bytes that are not valid utf-8"),
        (b'{"a": 1}\n', "no-such-codec", "unknown encoding 'no-such-codec'"),
    ],
)
def test_jsonl_reader_names_file_and_line(tmp_path, content, encoding, message):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as caught:
        list(iter_jsonl(path, encoding=encoding, hint="Fix it."))
    assert str(path) in str(caught.value)


def test_jsonl_reader_gives_line_numbers_and_reads_legacy_encodings(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes('{"a": "Müller"}\n\n  \n{"a": 2}\n'.encode("cp1252"))
    assert list(iter_jsonl(path, encoding="cp1252")) == [(1, {"a": "Müller"}), (4, {"a": 2})]
    lines = ['{"a": 1}', "{oops"]
    with pytest.raises(DataError, match=r"^line 2: not valid JSON"):
        list(iter_jsonl(lines, name=""))


# Articles in parallel (#12): `haltung analyze --jobs N`.


def _many_articles(path, count: int = 40):
    """A JSONL of `count` articles (more than two chunks): paragraphs of the seed article,
    an empty one and one without actors among them."""
    paragraphs = [p for p in SEED.read_text("utf-8").split("\n\n") if p.strip()]
    lines = []
    for i in range(count):
        text = "\n\n".join(paragraphs[i % len(paragraphs) :][:3])
        if i == 7:
            text = "   "
        elif i == 23:
            text = "Die Sitzung dauerte drei Stunden. Es regnete."
        lines.append(json.dumps({"id": f"art{i}", "text": text}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture
def started_workers(monkeypatch):
    """Counts the `Workers` pools that `haltung analyze` starts."""
    from haltung.analyze import parallel

    started: list[int] = []

    class Counted(parallel.Workers):
        def __init__(self, jobs, *args):
            started.append(jobs)
            super().__init__(jobs, *args)

    monkeypatch.setattr(parallel, "Workers", Counted)
    return started


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "html"])
def test_jobs_2_writes_the_same_bytes_as_jobs_1(model_dir, tmp_path, fmt, started_workers):
    import multiprocessing

    many = _many_articles(tmp_path / "many.jsonl")
    for source in (SEED, many):
        outputs = []
        for jobs in ("1", "2"):
            out = tmp_path / f"{source.stem}-{jobs}.{fmt}"
            done = run_in_process(
                "haltung", "analyze", str(source), "--model", str(model_dir), "--format", fmt,
                "--output", str(out), "--jobs", jobs,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]
    # one pool, for the 40 articles with --jobs 2; the seed article alone runs in-process
    assert started_workers == [2]
    assert multiprocessing.active_children() == []  # the workers have ended
    rows = pd.read_csv(tmp_path / f"many-1.{fmt}") if fmt == "csv" else None
    if rows is not None:  # every article in input order, the empty one without rows
        ids = list(dict.fromkeys(rows["doc_id"]))
        assert ids == [f"art{i}" for i in range(40) if i != 7]


def test_default_jobs_are_the_usable_cores(model_dir, tmp_path, started_workers):
    from haltung.analyze.parallel import default_jobs

    many = _many_articles(tmp_path / "many.jsonl")
    done = run_in_process("haltung", "analyze", str(many), "--model", str(model_dir))
    assert done.returncode == 0, done.stderr
    assert started_workers == ([default_jobs()] if default_jobs() > 1 else [])
    assert default_jobs() == len(os.sched_getaffinity(0))


class PidDetector:
    """The rule-based detector, noting which process detected (a line per call in `log`)."""

    def __init__(self, log):
        from haltung.text.actors import ActorDetector

        self.inner, self.log = ActorDetector(), log

    def detect(self, sentences):
        if any("KAPUTT" in s for s in sentences):
            raise DataError("article with KAPUTT: cannot detect actors.")
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return self.inner.detect(sentences)

    def entities(self, actors):
        return self.inner.entities(actors)


def test_workers_split_and_detect_the_main_process_classifies(classifier, tmp_path):
    import multiprocessing

    from haltung.analyze import analyze_articles

    texts = [
        "Die Gewerkschaft lehnte das Angebot ab.",
        "Der Minister wollte sich nicht äußern. Es regnete.",
        SEED.read_text("utf-8"),
    ]
    articles = [Article(f"a{i}", texts[i % 3]) for i in range(50)]
    log = tmp_path / "pids.txt"
    analyzer = ArticleAnalyzer(classifier.predict_proba, detector=PidDetector(log))
    alone = pd.concat(analyzer.rows(article) for article in articles)
    log.unlink()
    frames = list(analyze_articles(analyzer, iter(articles), jobs=2))
    assert [f["doc_id"].iloc[0] for f in frames] == [a.id for a in articles]
    pd.testing.assert_frame_equal(
        pd.concat(frames).reset_index(drop=True), alone.reset_index(drop=True)
    )
    pids = set(log.read_text().split())
    assert len(pids) == 2 and str(os.getpid()) not in pids
    assert multiprocessing.active_children() == []
    log.unlink()
    list(analyze_articles(analyzer, iter(articles[:16]), jobs=2))  # one chunk: no workers
    assert set(log.read_text().split()) == {str(os.getpid())}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_in_a_worker_is_the_same_clear_error(classifier, tmp_path, jobs):
    import multiprocessing

    from haltung.analyze import analyze_articles

    articles = [Article(f"a{i}", "Der Minister lehnte den Plan ab.") for i in range(60)]
    articles[45] = Article("bad", "Das ist KAPUTT.")
    analyzer = ArticleAnalyzer(classifier.predict_proba, detector=PidDetector(tmp_path / "p"))
    done = []
    with pytest.raises(DataError, match=r"^article with KAPUTT: cannot detect actors\.$"):
        for rows in analyze_articles(analyzer, iter(articles), jobs=jobs):
            done.append(rows)
    assert len(done) == 32  # the chunks before the bad article's, in order
    assert multiprocessing.active_children() == []


def test_cli_error_in_a_worker_is_one_line(model_dir, tmp_path, monkeypatch):
    from haltung.text.actors import ActorDetector

    detect = ActorDetector.detect

    def failing(self, sentences):
        if any("KAPUTT" in s for s in sentences):
            raise DataError("article with KAPUTT: cannot detect actors.")
        return detect(self, sentences)

    monkeypatch.setattr(ActorDetector, "detect", failing)  # forked workers inherit it
    path = _many_articles(tmp_path / "many.jsonl")
    path.write_text(
        path.read_text("utf-8") + json.dumps({"id": "bad", "text": "Das ist KAPUTT."}) + "\n"
    )
    out = tmp_path / "out" / "rows.csv"
    out.parent.mkdir()
    errors = []
    for jobs in ("1", "2"):
        args = ("analyze", str(path), "--model", str(model_dir), "--format", "csv")
        done = run_in_process("haltung", *args, "--output", str(out), "--jobs", jobs)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert list(out.parent.iterdir()) == []  # no partial output
        *warnings, error = done.stderr.strip().splitlines()
        assert [w for w in warnings if w] == [
            f"haltung analyze: warning: {path}, line 8 (id 'art7'): empty article skipped"
        ]  # the empty article among them
        errors.append(error)
    assert errors[0] == errors[1]
    assert errors[0] == "haltung analyze: error: article with KAPUTT: cannot detect actors."


def test_article_chunks_bound_articles_and_characters():
    from haltung.analyze import article_chunks

    articles = [Article(f"a{i}", "x" * size) for i, size in enumerate([10, 10, 10, 50, 10])]
    sizes = [len(c) for c in article_chunks(articles, max_articles=2, max_chars=1000)]
    assert sizes == [2, 2, 1]
    chunks = list(article_chunks(articles, max_articles=10, max_chars=30))
    assert [[a.id for a in c] for c in chunks] == [["a0", "a1", "a2"], ["a3"], ["a4"]]
    assert list(article_chunks([])) == []


def test_workers_read_the_input_only_a_few_chunks_ahead(classifier):
    from haltung.analyze.parallel import AHEAD, Workers

    analyzer = ArticleAnalyzer(classifier.predict_proba)
    pulled = []

    def chunks():
        for i in range(20):
            pulled.append(i)
            yield [Article(f"c{i}", "Der Minister lehnte den Plan ab.")]

    with Workers(2, analyzer.splitter, analyzer.detector) as workers:
        found = workers.find(chunks())
        first = next(found)
        assert first[0][0][0] == "c0"
        assert len(pulled) == AHEAD * 2  # memory stays flat: the rest is not read yet
        assert [records[0][0][0] for records in found] == [f"c{i}" for i in range(1, 20)]


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_jobs_is_a_usage_error(model_dir, value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", str(SEED), "--model", str(model_dir), "--jobs", value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "--jobs: expected a number of processes" in err


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _gone(pids: set[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _running_with_workers(tmp_path):
    """`haltung analyze --jobs 2` on a long input, once it has written its first rows."""
    path = tmp_path / "long.jsonl"
    seed = SEED.read_text("utf-8")
    path.write_text(
        "".join(json.dumps({"id": f"s{i}", "text": seed}) + "\n" for i in range(300)), "utf-8"
    )
    model = ROOT / "tests" / "fixtures" / "saved-2026-12-04" / "tfidf_logreg"
    command = [str(BIN / "haltung"), "analyze", str(path), "--model", str(model)]
    process = subprocess.Popen(
        [*command, "--format", "csv", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=script_env(),
        cwd=ROOT,
        start_new_session=True,
    )
    assert process.stdout.readline().startswith(b"doc_id,")
    workers = _children(process.pid)
    assert len(workers) == 2
    return process, workers


def test_ctrl_c_ends_quietly_and_stops_the_workers(tmp_path):
    import signal

    process, workers = _running_with_workers(tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr.decode("utf-8", "replace")
    assert _gone(workers)


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    import signal

    process, workers = _running_with_workers(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert _gone(workers)


def test_a_killed_worker_is_one_clear_error(tmp_path):
    import signal

    process, workers = _running_with_workers(tmp_path)
    os.kill(min(workers), signal.SIGKILL)  # as the kernel does when memory runs out
    _, stderr = process.communicate(timeout=60)
    message = stderr.decode("utf-8", "replace").strip()
    assert process.returncode == 2, message
    assert message == (
        "haltung analyze: error: A worker process ended unexpectedly (out of memory?); "
        "try fewer --jobs."
    )
    assert _gone(workers)


def test_a_closed_pipe_ends_quietly_with_workers(tmp_path):
    process, workers = _running_with_workers(tmp_path)
    process.stdout.close()  # `haltung analyze … | head -1`
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    assert process.wait(timeout=120) in (0, 141)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert _gone(workers)


# --- output as it is, where it is asked for, and inputs that are never overwritten ---

MARKUP = [
    "Merz sagte, das sei [/b] falsch.",
    "Scholz nannte [bold]das[/bold] gut.",
    "Baerbock fand es [link=http://x]falsch[/link] :thumbs_up:.",
]


def test_table_shows_text_ids_and_actors_as_they_are(model_dir, tmp_path, monkeypatch):
    """Rich markup, links and emoji codes in an article are text, not formatting (#bug 1)."""
    monkeypatch.setenv("COLUMNS", "400")  # one table line per row: nothing folded
    path = tmp_path / "[red]x[i].txt"
    path.write_text(" ".join(MARKUP), "utf-8")
    done = run_in_process("haltung", "analyze", str(path), "--model", str(model_dir))
    assert done.returncode == 0, done.stderr
    for sentence in MARKUP:
        assert sentence in done.stdout
    assert "[red]x[i]" in done.stdout  # the title: the document id
    rows = pd.DataFrame(
        {
            "doc_id": ["[i]d"],
            "sentence_index": [1],
            "sentence": ["[/i] satz"],
            "actor": ["[b]Merz"],
            "entity": ["Friedrich [u]Merz"],
            "stance": ["critical"],
            "score": [0.5],
            "reason": ["[dim]"],
        }
    )
    out = io.StringIO()
    writer = open_writer("table", out)
    writer.write(rows)
    writer.close()
    for value in ("[i]d", "[/i] satz", "[b]Merz", "Friedrich [u]Merz", "[dim]"):
        assert value in out.getvalue()


def test_output_that_is_a_folder_is_one_clear_error(model_dir, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    done = run_in_process(
        "haltung", "analyze", str(SEED), "--model", str(model_dir), "--output", str(folder)
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--output {folder} is a folder" in done.stderr
    assert list(folder.iterdir()) == []
    with pytest.raises(DataError, match="is a folder"), atomic_output(folder):
        pass


def _articles_jsonl(path: Path, ids=("a", "b")) -> str:
    lines = [json.dumps({"id": i, "text": "Der Minister lehnte den Plan ab."}) for i in ids]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path.read_text("utf-8")


def test_output_never_overwrites_an_input(model_dir, tmp_path, monkeypatch):
    source = tmp_path / "s.jsonl"
    before = _articles_jsonl(source)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    args = ("analyze", str(source), "--model", str(model_dir), "--format", "jsonl")
    for output in (source, "../s.jsonl", link):
        done = run_in_process("haltung", *args, "--output", str(output))
        assert done.returncode == 2, done.stderr
        assert "would overwrite the input" in done.stderr
    assert source.read_text("utf-8") == before
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Der Minister lehnte den Plan ab.", "utf-8")
    args = ("analyze", str(folder), "--model", str(model_dir), "--output", str(folder / "a.txt"))
    done = run_in_process("haltung", *args)
    assert done.returncode == 2 and "would overwrite the input" in done.stderr
    assert (folder / "a.txt").read_text("utf-8") == "Der Minister lehnte den Plan ab."


def test_format_follows_the_output_suffix(model_dir, tmp_path):
    source = tmp_path / "s.jsonl"
    _articles_jsonl(source)
    args = ("analyze", str(source), "--model", str(model_dir))
    outputs = {
        "report.html": lambda text: text.startswith("<!DOCTYPE html>"),
        "stances.csv": lambda text: text.splitlines()[0] == ",".join(COLUMNS),
        "rows.jsonl": lambda text: json.loads(text.splitlines()[0])["doc_id"] == "a",
        "table.txt": lambda text: "sentence" in text and "┃" in text,
    }
    for name, looks_right in outputs.items():
        done = run_in_process("haltung", *args, "--output", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert looks_right((tmp_path / name).read_text("utf-8")), name
    done = run_in_process("haltung", *args, "--format", "csv", "--output", str(tmp_path / "x.html"))
    assert done.returncode == 2 and "--format csv does not match" in done.stderr
    done = run_in_process("haltung", *args, "--output", str(tmp_path / "x.parquet"))
    assert done.returncode == 2 and "--engine spark" in done.stderr
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "x.parquet").exists()
    assert output_format("jsonl", "rows.json") == "jsonl"  # a suffix of no format: no conflict


def test_analyze_help_says_where_the_format_comes_from(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    assert "suffix" in " ".join(capsys.readouterr().out.split())


def test_falsy_ids_are_kept_and_only_missing_ones_made_up(tmp_path):
    path = tmp_path / "ids.jsonl"
    records = [{"id": 0}, {"id": "0"}, {"id": None}, {"id": ""}, {}, {"id": False}]
    text = "Der Minister lehnte ab."
    path.write_text("\n".join(json.dumps({**r, "text": text}) for r in records), "utf-8")
    ids = [article.id for article in read_articles(path)]
    assert ids == ["0", "0", "ids-3", "ids-4", "ids-5", "False"]


def test_empty_articles_are_skipped_with_a_warning(model_dir, tmp_path):
    """One rule for JSONL and folders: an empty article is skipped and named (#bug 6)."""
    jsonl = tmp_path / "three.jsonl"
    lines = [{"id": "a", "text": "Der Minister lehnte den Plan ab."}, {"id": "b", "text": " "}]
    lines.append({"id": "c", "text": "Die Gewerkschaft lobte das Angebot."})
    jsonl.write_text("\n".join(json.dumps(line) for line in lines), "utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(lines[0]["text"], "utf-8")
    (folder / "b.txt").write_bytes(b"\n")
    (folder / "c.txt").write_text(lines[2]["text"], "utf-8")
    for source, where in ((jsonl, f"{jsonl}, line 2 (id 'b')"), (folder, str(folder / "b.txt"))):
        out = tmp_path / f"{source.stem}.csv"
        done = run_in_process(
            "haltung", "analyze", str(source), "--model", str(model_dir), "--output", str(out)
        )
        assert done.returncode == 0, done.stderr
        assert f"warning: {where}: empty article skipped" in done.stderr
        assert f"2 articles analysed, 1 empty skipped; written to {out}" in done.stderr
        assert set(pd.read_csv(out)["doc_id"]) == {"a", "c"}
    with pytest.warns(UserWarning, match="line 2 .* empty article skipped"):
        assert [a.id for a in read_articles(jsonl)] == ["a", "c"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("blank.jsonl", '{"id": "a", "text": ""}\n{"id": "b", "text": "  "}\n'),
        ("empty.txt", "\n"),
        ("folder", ""),
    ],
)
def test_input_with_only_empty_articles_is_an_error(model_dir, tmp_path, name, content):
    path = tmp_path / name
    if name == "folder":
        path.mkdir()
        (path / "a.txt").write_text("", "utf-8")
        (path / "b.txt").write_text(" \n", "utf-8")
    else:
        path.write_text(content, "utf-8")
    done = run_in_process("haltung", "analyze", str(path), "--model", str(model_dir))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "there is nothing to analyse" in done.stderr.splitlines()[-1]


def test_standard_input_is_one_article_or_jsonl(model_dir):
    text = "Der Minister lehnte den Plan ab. Die Gewerkschaft lobte das Angebot."
    args = ("analyze", "-", "--model", str(model_dir), "--format", "jsonl")
    done = run_in_process("haltung", *args, stdin=text + "\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["doc_id"] for r in rows} == {"stdin"} and len(rows) >= 2
    lines = [json.dumps({"id": i, "text": text}) for i in ("x", "y")]
    done = run_in_process("haltung", *args, stdin="\n".join(lines))
    assert done.returncode == 0, done.stderr
    assert {json.loads(line)["doc_id"] for line in done.stdout.splitlines()} == {"x", "y"}
    done = run_in_process("haltung", *args, stdin=" \n")
    assert done.returncode == 2 and "standard input is empty" in done.stderr
