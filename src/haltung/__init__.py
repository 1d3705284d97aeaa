"""haltung: who takes which position in German news.

Importing haltung is cheap: it loads neither torch nor MLflow.
"""

from haltung.classifier import StanceClassifier
from haltung.errors import HaltungError

__version__ = "0.1.0"
__all__ = ["HaltungError", "StanceClassifier", "__version__"]
