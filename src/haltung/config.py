"""Where the Hydra configs live, the resolvers they use, and composition outside the app."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

_PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = _PACKAGE_DIR.parents[1]


def project_root() -> Path:
    """The project folder: $HALTUNG_ROOT, else the source checkout, else the working directory."""
    if env := os.environ.get("HALTUNG_ROOT"):
        return Path(env).expanduser().resolve()
    if (_SOURCE_ROOT / "pyproject.toml").is_file() and (_SOURCE_ROOT / "conf").is_dir():
        return _SOURCE_ROOT
    return Path.cwd().resolve()


def cache_home() -> Path:
    """Where haltung caches encoders, embeddings and int8 models: $HALTUNG_CACHE, else
    ~/.cache/haltung."""
    return Path(os.environ.get("HALTUNG_CACHE") or Path.home() / ".cache" / "haltung").expanduser()


#: The config of commands that need no training settings (analyze, predict, finding the store).
COMMAND_CONFIG = "command"


def config_dir() -> Path:
    """The `conf/` folder: shipped inside the wheel, or at the top of the source checkout."""
    packaged = _PACKAGE_DIR / "conf"
    return packaged if packaged.is_dir() else _SOURCE_ROOT / "conf"


def register_resolvers() -> None:
    """Register the OmegaConf resolvers that haltung's configs use (idempotent)."""
    if not OmegaConf.has_resolver("haltung_root"):
        OmegaConf.register_new_resolver("haltung_root", lambda: str(project_root()))


def compose(
    overrides: Sequence[str] = (), config_name: str = "config", return_hydra: bool = False
) -> DictConfig:
    """Compose a config as `haltung-train` would, without running it: `config` (training) or
    `command` (`COMMAND_CONFIG`: paths, analyze and tracking only)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return hydra_compose(
            config_name=config_name, overrides=list(overrides), return_hydra_config=return_hydra
        )


register_resolvers()
