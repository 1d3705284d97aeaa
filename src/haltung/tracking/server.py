"""A tracking server a team shares: MLflow on a database (PostgreSQL), artifacts served through
the server, so a client needs only `MLFLOW_TRACKING_URI=http://host:port`."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from haltung.errors import TrackingError

DATABASES = ("postgresql", "mysql", "mssql", "sqlite")
INSTALL_HINT = "pip install 'haltung[server]'"


def check_backend(uri: str, timeout: float = 5.0) -> None:
    """Fail fast, in one line, when the server's database cannot be used."""
    scheme = urlsplit(uri).scheme.split("+", 1)[0]
    if scheme not in DATABASES:
        raise TrackingError(
            f"'{uri}' is not a database URI: give e.g. postgresql://user:password@host:5432/mlflow "
            "(or sqlite:////absolute/path/mlflow.db for one machine)."
        )
    if scheme != "postgresql":
        return
    try:
        import psycopg2
    except ImportError:
        raise TrackingError(
            f"PostgreSQL needs the psycopg2 driver: {INSTALL_HINT} (or psycopg2-binary)."
        ) from None
    try:
        plain = uri.replace("postgresql+psycopg2://", "postgresql://")
        psycopg2.connect(plain, connect_timeout=int(timeout)).close()
    except psycopg2.Error as err:
        reason = " ".join(str(err).split())[:300]
        raise TrackingError(
            f"The database {_shown(uri)} cannot be reached ({reason}). Start PostgreSQL, create "
            "the database (createdb mlflow), and check user, password, host and port."
        ) from None


def server_command(
    backend: str, artifacts: Path | str, *, host: str, port: int, workers: int
) -> list[str]:
    """`mlflow server` on `backend`, storing artifacts under `artifacts` and serving them (the
    clients never touch that folder)."""
    if backend.startswith("postgresql://"):  # SQLAlchemy 2.1's default driver is psycopg 3
        backend = "postgresql+psycopg2://" + backend.removeprefix("postgresql://")
    destination = artifacts if "://" in str(artifacts) else Path(artifacts).resolve().as_uri()
    return [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", backend,
        "--artifacts-destination", str(destination),
        "--serve-artifacts",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip


def _shown(uri: str) -> str:
    """The URI without its password."""
    parts = urlsplit(uri)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return uri
