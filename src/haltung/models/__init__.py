"""Models: every model is a scikit-learn estimator over a frame with `text` and `actor`."""

from haltung.models.build import build_estimator
from haltung.models.inputs import ActorText, as_input_frame

__all__ = ["ActorText", "as_input_frame", "build_estimator"]
