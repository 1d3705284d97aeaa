"""Errors that end a command with a clear message instead of a traceback."""


class HaltungError(Exception):
    """A problem the user can fix; its message says what and how."""


class DataError(HaltungError):
    """A data file is missing, unreadable, malformed or fails validation."""


class ConfigError(HaltungError):
    """The composed configuration asks for something that cannot work."""


class ModelLoadError(HaltungError):
    """A saved model cannot be found or read."""


class TrackingError(HaltungError):
    """The MLflow tracking store cannot be reached or used."""
