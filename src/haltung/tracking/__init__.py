"""MLflow: where runs go, what each run logs, and how sweeps group their runs.

Importing this package imports MLflow; the rest of haltung does not need it.
"""
