"""Settings of a run checked before anything starts: types, ranges and choices.

Hydra accepts any override (`seed=abc`, `evaluation.confidence=2`); these checks turn them into
one-paragraph `ConfigError`s before data is loaded or an MLflow run exists.
"""

from __future__ import annotations

import re
import string
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from haltung.errors import ConfigError

SPLIT_METHODS = ("auto", "fixed", "grouped", "kfold")
EVAL_SPLITS = ("dev", "test")


def check_run_config(cfg: DictConfig) -> None:
    """Raise ConfigError naming every setting that cannot work, with what it accepts."""
    problems = []

    def get(key: str) -> Any:
        try:
            return OmegaConf.select(cfg, key, throw_on_missing=True)
        except OmegaConfBaseException as err:
            reason = str(err.msg).splitlines()[0] if err.msg else type(err).__name__
            problems.append(f"{key} cannot be resolved: {reason}")
            return None

    def whole(key: str, low: int, value: Any = None) -> None:
        value = get(key) if value is None else value
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{key}={value!r} must be a whole number")
        elif value is not None and value < low:
            problems.append(f"{key}={value} must be at least {low}")

    def share(key: str, low: float, high: float, open_low: bool = True) -> None:
        value = get(key)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{key}={value!r} must be a number")
        elif not (low < value < high if open_low else low <= value < high):
            side = "(" if open_low else "["
            problems.append(f"{key}={value} must lie in {side}{low}, {high})")

    def choice(key: str, allowed: tuple[str, ...]) -> None:
        value = get(key)
        if value is not None and value not in allowed:
            problems.append(f"{key}={value!r} must be one of {', '.join(allowed)}")

    whole("seed", 0)
    whole("model.blas_threads", 1)
    choice("evaluation.eval_split", EVAL_SPLITS)
    choice("evaluation.objective_split", EVAL_SPLITS)
    whole("evaluation.bootstrap_samples", 0)
    share("evaluation.confidence", 0.0, 1.0)
    choice("split.method", SPLIT_METHODS)
    if get("split.method") == "kfold":
        whole("split.n_folds", 2)
    share("split.test_size", 0.0, 1.0)
    share("split.dev_size", 0.0, 1.0, open_low=False)
    experiment = get("tracking.experiment_name")
    if isinstance(experiment, str) and not experiment.strip():
        problems.append("tracking.experiment_name must name an experiment (it is empty)")
    if problems:
        raise ConfigError("The settings cannot work: " + "; ".join(problems) + ".")


def check_estimator(estimator: Any, name: str) -> None:
    """scikit-learn's own parameter checks (C > 0, known solvers …), run before any fitting.

    scikit-learn validates in `fit`; this runs the same validation on every step of a
    pipeline (and the estimator inside a wrapper) without touching data.
    """
    for part in _parts(estimator):
        _check_templates(part, name)
        validate = getattr(part, "_validate_params", None)
        if validate is None or not hasattr(type(part), "_parameter_constraints"):
            continue
        try:
            validate()
        except (ValueError, TypeError) as err:
            raise ConfigError(f"model '{name}': {err}") from None


# The format strings models join their inputs with (parameter: the name its config gives it,
# the fields it may use, those it must use).
_TEMPLATES = {
    "template": ("actor_template", {"actor", "text"}, {"text"}),  # ActorText's
    "actor_template": ("actor_template", {"actor", "text"}, {"text"}),
    "context_template": ("context_template", {"input", "context"}, {"input", "context"}),
}
_FIELD_NAME = re.compile(r"[^.\[]*")  # "actor" of "actor[0]" or "actor.upper"


def _check_templates(part: Any, name: str) -> None:
    """Each template parses, uses only its fields and keeps the text (a template without it
    would give every row the same input)."""
    params = part.get_params(deep=False) if hasattr(part, "get_params") else {}
    for key, (setting, allowed, needed) in _TEMPLATES.items():
        value = params.get(key)
        if not value:  # None or "": the input goes in alone
            continue
        try:
            parsed = string.Formatter().parse(str(value))
            fields = {_FIELD_NAME.match(f).group() for _, f, _, _ in parsed if f is not None}
        except ValueError as err:
            fields, problem = set(), f"is not a format string ({err})"
        else:
            unknown, missing = fields - allowed, needed - fields
            problem = (
                f"uses {', '.join(sorted(f'{{{f}}}' for f in unknown))}, which it cannot fill"
                if unknown
                else f"needs {', '.join(sorted(f'{{{f}}}' for f in missing))}"
                if missing
                else ""
            )
        if problem:
            fill = " and ".join(f"{{{f}}}" for f in sorted(allowed))
            raise ConfigError(f"model '{name}': {setting}={value!r} {problem} (it may use {fill}).")


def _parts(estimator: Any):
    yield estimator
    for _, step in getattr(estimator, "steps", []):
        yield from _parts(step)
    inner = getattr(estimator, "estimator", None)
    if inner is not None and hasattr(inner, "get_params"):
        yield from _parts(inner)
