"""Error types raised by the core; each message names what was wrong and the value received."""


class CnnExplorerError(Exception):
    """Base of every error the core raises on purpose (bad input, bad file, bad config).

    The message is the front ends' common ground: no HTML, no command-line flag. `setting`
    names the setting at fault in the core's own words ("freeze", "start_from",
    "input_shape"), so each front end can point at its own control for it: the CLI adds the
    flag (cli.SETTING_FLAGS), the GUI shows the message beside its form.
    """

    def __init__(self, *args, setting: str | None = None):
        super().__init__(*args)
        self.setting = setting


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


def refuse_unknown_fields(dataclass_type, data: dict, what: str) -> None:
    """ConfigError naming the keys of `data` that are not fields of `dataclass_type` (a saved
    or typed settings dict), and the known ones; `what` names them ("training setting")."""
    from dataclasses import fields

    known = {f.name for f in fields(dataclass_type)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown {what}(s) {', '.join(unknown)}; known: "
                          f"{', '.join(sorted(known))}")
