"""Build the configured estimator."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from haltung.errors import ConfigError


def build_estimator(model_cfg: DictConfig) -> Any:
    """Instantiate `model.estimator` (its `_target_` and everything nested)."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    if "estimator" not in model_cfg:
        raise ConfigError(f"model '{model_cfg.get('name')}' has no `estimator` entry to build.")
    try:
        return instantiate(model_cfg.estimator, _convert_="all")
    except InstantiationException as err:
        cause = err.__cause__ or err
        raise ConfigError(
            f"model '{model_cfg.get('name')}' cannot be built from its config: {cause}"
        ) from err
