"""`haltung-train`: compose → plan → run → log. Any Hydra override works:

haltung-train model=tfidf_svm seed=3
haltung-train -m model=tfidf_logreg,tfidf_svm seed=1,2,3
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import CompactHydraException
from omegaconf import DictConfig, OmegaConf

from haltung import harness, stopping
from haltung.config import config_dir
from haltung.errors import DataError, HaltungError
from haltung.harness import Outcome


class JobFailed(CompactHydraException):
    """A user-facing error: Hydra prints its message without a traceback."""


@dataclass
class TrainResult:
    """What a training run produced."""

    run_id: str
    outcome: Outcome
    model_uri: str
    model_dir: Path
    store_uri: str
    seconds: float

    @property
    def evaluation(self):
        return self.outcome.evaluation


def train(cfg: DictConfig, output_dir: Path, overrides: list[str] | None = None) -> TrainResult:
    """Run one experiment and log it; every input is checked before the MLflow run starts.

    Models that report no epochs fit in a forked process while MLflow is imported and the run
    opened here (`tracking.open_while_fitting`, `harness.start`).
    """
    started = time.perf_counter()
    output_dir.mkdir(parents=True, exist_ok=True)
    plan = harness.prepare(cfg)
    with harness.start(plan, fork=cfg.tracking.get("open_while_fitting", True)) as fitting:
        # MLflow is imported and the run opened while the model fits in a forked process
        from haltung.tracking.experiment import experiment_run, log_epoch, log_outcome, log_seconds
        from haltung.tracking.store import resolve_store

        store = resolve_store(cfg)
        with experiment_run(plan, store, overrides or []) as run_id:
            outcome = fitting.result(on_epoch_end=log_epoch)
            model_dir, model_uri = log_outcome(outcome, output_dir)
            log_seconds(time.perf_counter() - started)
    seconds = time.perf_counter() - started
    result = TrainResult(run_id, outcome, model_uri, model_dir, store.uri, seconds)
    _report(result)
    return result


def _report(result: TrainResult) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)
    evaluation = result.evaluation
    console.print(f"[bold]{evaluation.headline()}[/bold]  (n={int(evaluation.metrics['n'])})")
    for name, scored in result.outcome.test_sets.items():
        e = scored.evaluation
        console.print(f"{name}: {e.headline()}  (n={int(e.metrics['n'])})")
    console.print(f"model URI:    {result.model_uri}")
    console.print(f"model folder: {result.model_dir}")
    console.print(f"run {result.run_id} in {result.store_uri}  ({result.seconds:.1f} s)")


@hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
def _app(cfg: DictConfig) -> float:
    hydra_cfg = HydraConfig.get()
    try:
        overrides = OmegaConf.to_container(hydra_cfg.overrides.task, resolve=False)  # as typed
        result = train(cfg, Path(hydra_cfg.runtime.output_dir), overrides)
    except DataError as err:  # raised before the run: nothing is logged, nothing trained
        raise JobFailed(f"{str(err).rstrip(' .')}. Nothing was trained.") from None
    except HaltungError as err:
        raise JobFailed(str(err)) from None
    return _objective(cfg, result)


def _objective(cfg: DictConfig, result: TrainResult) -> float:
    """What a sweeper (Optuna) maximises: the primary metric of `evaluation.objective_split`."""
    wanted = cfg.evaluation.get("objective_split") or cfg.evaluation.eval_split
    if wanted == cfg.evaluation.eval_split:
        return result.evaluation.primary
    if result.outcome.dev is None:
        raise JobFailed(
            f"evaluation.objective_split={wanted} needs a {wanted} split; this run has none "
            "(e.g. split.method=kfold). Use evaluation.objective_split=test or a held-out split."
        )
    return result.outcome.dev.primary


def main() -> None:
    """Console entry point of `haltung-train`: a stop signal ends it with one line and the
    shell's code for that signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP)."""
    stopping.install()
    try:
        _app()
    except KeyboardInterrupt as err:
        from haltung.tracking.sweep import STOPPED_ENV

        signum = err.signum if isinstance(err, stopping.Stopped) else signal.SIGINT
        os.environ[STOPPED_ENV] = signal.Signals(signum).name  # the sweep's exit hook reads it
        run_id = getattr(err, "run_id", None)
        done = f"; run {run_id} marked KILLED" if run_id else ""
        print(f"haltung-train: stopped by {signal.Signals(signum).name}{done}", file=sys.stderr)
        sys.exit(stopping.exit_code(signum))
    finally:
        # The process ends here: the interpreter's collections of the whole heap on the way out
        # (seconds, with MLflow's SQLAlchemy store loaded) have nothing left to free.
        gc.freeze()


if __name__ == "__main__":
    main()
