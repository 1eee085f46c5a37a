"""Error types raised by the core; each message names what was wrong and the value received."""


class CnnExplorerError(Exception):
    """Base of every error the core raises on purpose (bad input, bad file, bad config)."""


class ConfigError(CnnExplorerError, ValueError):
    """An architecture option, an input shape or a layer setting that cannot work."""


class ShapeError(ConfigError):
    """A layer whose input is too small or of the wrong rank for it."""


class DatasetError(CnnExplorerError):
    """A dataset file or folder that cannot be read as a dataset."""


class ModelFileError(CnnExplorerError):
    """A model file that cannot be opened, or does not fit what it is used for."""


class TrainingError(CnnExplorerError):
    """A training run that cannot start or had to stop (NaN loss, mismatched data...)."""
