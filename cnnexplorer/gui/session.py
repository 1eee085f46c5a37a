"""The application's shared state, observed by the panels (Qt signals, no computation).

Panels never talk to each other directly: the Architecture panel sets the architecture, the
Data panel sets the dataset, the Training panel and the Happy door read them and announce
trained models. Each setter emits the matching `*_changed` signal.

The main window's File menu asks for files through `open_model_requested(path)` and
`open_dataset_requested(path)` (the Happy door and the Data panel connect to them), and any
panel may bring a tab to the front with `show_panel.emit("Training")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class ArchitectureChoice:
    """A zoo entry and its configuration as the user set it (or an imported model's spec)."""

    key: str
    input_shape: tuple[int, int, int] | None = None
    classes: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    network: Any = None  # the spec Network, when already built


@dataclass(frozen=True)
class DoorImage:
    """An image sent to the Happy door with the model that must judge it: the Evaluation
    tab sends a misclassified test image with the evaluated run's best model, so the door
    gives the verdict the evaluation counted, not the bundled model's."""

    image: Any  # uint8 (H, W, C)
    model_path: str | None = None  # None: the door's current model
    model_name: str = ""  # shown in the door with the verdict


class Session(QObject):
    architecture_changed = Signal(object)  # ArchitectureChoice
    dataset_changed = Signal(object)  # core.data.base.Dataset
    augment_changed = Signal(object)  # core.data AugmentConfig, or None (off)
    model_trained = Signal(object)  # path of a saved .keras model (a run's best model)
    open_in_door = Signal(object)  # an image (path, uint8 array or DoorImage) for the door
    status_message = Signal(str)
    open_model_requested = Signal(str)  # File > Open model...: a .keras/.h5 path
    open_dataset_requested = Signal(str)  # File > Open dataset...: an .h5 file or a folder
    show_panel = Signal(str)  # a tab title: "Architecture", "Data", "Training", "Happy door"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.architecture: ArchitectureChoice | None = None
        self.dataset = None
        # The augmentation choice, one setting for the Data panel (its sliders) and the
        # Training panel (on/off, the strengths in words): a core.data AugmentConfig with at
        # least one strength above 0, or None for no augmentation.
        self.augment = None
        self.last_model_path = None

    def set_architecture(self, choice: ArchitectureChoice) -> None:
        self.architecture = choice
        self.architecture_changed.emit(choice)

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.dataset_changed.emit(dataset)

    def set_augment(self, augment) -> None:
        """Set the augmentation (an AugmentConfig; all strengths 0 or None: off)."""
        augment = augment if augment is not None and augment.enabled else None
        if augment != self.augment:
            self.augment = augment
            self.augment_changed.emit(augment)

    def announce_model(self, path) -> None:
        self.last_model_path = path
        self.model_trained.emit(path)
