"""Metrics, confidence intervals and reports; the same code scores every model."""

from haltung.evaluation.metrics import Evaluation, bootstrap_interval, evaluate, mean_sd

__all__ = ["Evaluation", "bootstrap_interval", "evaluate", "mean_sd"]
