"""The door's inference loop: newest frame wins, stale frames are dropped.

A camera delivers frames faster than anything should queue them. `submit()` only replaces
the one pending slot (counting what it overwrote as dropped) and wakes the thread; the thread
always judges the newest frame, so the door reacts to what is in front of the camera now,
never to a backlog. Model loading also runs here (opening a .keras file imports Keras and
traces the fast call: seconds the GUI thread must not spend).

The loop runs in a `gui.workers.Worker` (the app's one way to work off the GUI thread),
started with the first frame or model request. It reports through the worker's events, and
this object re-emits them as its own signals on the GUI thread: `result`, `errored`,
`model_loaded`, `model_failed`. `shutdown()` asks the loop to end (it wakes it); the window's
one wait (`workers.stop_and_wait`) waits for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.core.door.rules import DEFAULT_RULE
from cnnexplorer.core.errors import CnnExplorerError
from cnnexplorer.gui.workers import Worker
from cnnexplorer.core.data.images import resize_array
from cnnexplorer.core.door.careful import CarefulDoor
from cnnexplorer.core.door.faces import LIVE_SIDE, STILL_SIDE, shared_finder
from cnnexplorer.core.door.gradcam import Inspector, overlay
from cnnexplorer.core.door.inference import (DoorModel, check_frame, load_door_model,
                                             read_door_photo)
from cnnexplorer.core.door.verdict import FACES, judge_image
from cnnexplorer.core.keras.conv_at_work import ConvProbe

#: overlays are blended at most this many pixels a side (a display needs no more)
DISPLAY_SIDE = 512
MIN_DISPLAY_SIDE = 256


@dataclass
class FrameResult:
    """One judged frame, with what the "look inside" views asked for."""

    seq: int
    frame: np.ndarray  # the frame as received (uint8 RGB), or as read from the file
    probability: float | None  # the deciding face's; None when no face was found
    latency_ms: float  # finding faces + predict (+ Grad-CAM/feature maps when asked)
    tag: object = None  # what the source said about the frame (file name, "camera" ...)
    verdict: object = None  # core.door.verdict.DoorVerdict: faces, crops, probabilities
    heatmap: np.ndarray | None = None  # Grad-CAM in [0, 1] at the layer's resolution
    # what the model judged (the deciding face's crop, or the whole frame; at least
    # MIN_DISPLAY_SIDE and at most DISPLAY_SIDE a side) with the heatmap over it
    overlay: np.ndarray | None = None
    overlay_is_crop: bool = False  # True: `overlay` shows the deciding crop, not the frame
    careful: bool = False  # judged with each face's mirror too (twice the model calls)
    cam_layer: str = ""
    cam_target: str = ""
    cam_method: str = ""
    feature_layer: str = ""
    feature_maps: np.ndarray | None = None  # (H, W, C) activations of feature_layer
    # feature_layer is a Conv2D: its input and weights kept, so hovering its maps works out
    # any value on the GUI thread with numpy alone (core.keras.conv_at_work)
    conv_probe: ConvProbe | None = None
    conv_note: str = ""  # why a Conv2D feature layer has no probe
    # what of "look inside" failed for this frame (the verdict above stands regardless)
    inside_errors: list[str] = field(default_factory=list)
    extras: dict = field(default_factory=dict)


class InferenceWorker(QObject):
    result = Signal(object)  # FrameResult
    errored = Signal(str, object)  # (message for the user, the frame's tag)
    model_loaded = Signal(object)  # DoorModel, after load_model() succeeded
    model_failed = Signal(str)  # why a requested model could not be used

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: tuple[int, np.ndarray, object] | None = None
        self._load_request = None  # ("path", path) | ("door", DoorModel) | ("bundled", None)
        self._quit = False
        self._seq = 0
        self._door = None
        self._inspector = None
        self._worker: Worker | None = None
        self._inside_said: set[str] = set()  # look-inside failures said once per model
        self._report = None  # the running loop's on_event
        # What to compute besides the probability; set from the GUI thread, read per frame.
        self.explain = False
        self.cam_layer: str | None = None
        self.cam_method = "hirescam"
        self.feature_layer: str | None = None
        self.threshold = DEFAULT_THRESHOLD
        self.rule = DEFAULT_RULE  # core.door.verdict.RULES: how several faces decide
        self.find_faces = True  # False judges whole frames, as before face finding
        self.careful = False  # True judges each face with its mirror too (core.door.careful)
        self.submitted = 0
        self.dropped = 0
        self.processed = 0

    # -- called from the GUI thread --------------------------------------------------------
    def submit(self, frame, tag=None) -> int:
        """Queue `frame` for judging, replacing any frame still waiting; returns its number.

        `frame` is a uint8 array, or an image file path read (safely) in this thread.
        """
        with self._cond:
            self._seq += 1
            if self._pending is not None:
                self.dropped += 1
            self._pending = (self._seq, frame, tag)
            self.submitted += 1
            self._cond.notify()
            seq = self._seq
        self._ensure_running()
        return seq

    def request_model(self, path=None) -> None:
        """Load the model at `path` (None: the bundled one) in the loop's thread."""
        self._request(("bundled", None) if path is None else ("path", path))

    def use_model(self, door) -> None:
        """Switch to an already loaded DoorModel (e.g. one training just produced)."""
        self._request(("door", door))

    def _request(self, req) -> None:
        with self._cond:
            self._load_request = req
            self._cond.notify()
        self._ensure_running()

    def _ensure_running(self) -> None:
        if self._quit or self.is_running():
            return
        # each frame's and model's errors are caught in the loop and said at the door; an
        # error of the loop itself (a bug) goes to the presenter, and the next frame starts
        # a fresh loop
        self._worker = Worker(self._loop, "judge the door's frames", wake=self._wake)
        self._worker.reported.connect(self._on_worker_event)
        self._worker.start()

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()

    def _on_worker_event(self, item) -> None:
        kind, *args = item
        getattr(self, kind).emit(*args)  # result / errored / model_loaded / model_failed

    @property
    def door(self):
        return self._door

    def shutdown(self) -> None:
        """Ask the loop to end (returns at once; the window's one wait waits for it)."""
        with self._cond:
            self._quit = True
            self._cond.notify()
        if self._worker is not None:
            self._worker.request_stop()

    # -- the worker's thread ---------------------------------------------------------------
    def _loop(self, on_event, stop) -> None:
        self._report = on_event
        try:
            self._serve(stop)
        finally:
            self._report = None

    def _emit(self, kind: str, *args) -> None:
        self._report((kind, *args))

    def _serve(self, stop) -> None:
        while True:
            with self._cond:
                # Frames wait in the slot until a model is there to judge them.
                while not (self._quit or stop.is_set()) and self._load_request is None and (
                        self._pending is None or self._door is None):
                    self._cond.wait()
                if self._quit or stop.is_set():
                    return
                load, self._load_request = self._load_request, None
                job = None
                if load is None:
                    job, self._pending = self._pending, None
            if load is not None:
                self._load(load)
            elif job is not None:
                self._judge(*job)

    def _load(self, req) -> None:
        kind, value = req
        try:
            door = value if kind == "door" else load_door_model(value)
            if not isinstance(door, DoorModel):
                raise CnnExplorerError(f"not a door model: {type(door).__name__}")
            door.warm_up()
        except CnnExplorerError as exc:
            self._emit("model_failed", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a model that fails at run time
            self._emit("model_failed", f"{value}: the model failed on a test image "
                                   f"({type(exc).__name__}: {exc})")
            return
        with self._cond:
            self._door, self._inspector = door, None
            self._inside_said.clear()
        self._emit("model_loaded", door)
        self._warm_face_finder()

    def _warm_face_finder(self) -> None:
        """Load the face detector now, so the first frame is not the slow one; a detector
        that cannot load is said once here (and again by each frame that needs it)."""
        try:
            shared_finder()
        except CnnExplorerError as exc:
            self._emit("errored", str(exc), None)

    def _judge(self, seq: int, frame: np.ndarray, tag) -> None:
        door = self._door

        start = time.perf_counter()
        try:
            if not isinstance(frame, np.ndarray):
                # A file is read as `predict` and `evaluate door` read it (reduced as it is
                # decoded to a long side of PHOTO_SIDE): the panel and the command line then
                # judge the same pixels and agree on every face, and a 9000x9000 photo is not
                # held whole. Boxes stay in the shown frame's pixels.
                frame = read_door_photo(frame)[0]
            check_frame(frame, str(tag) if tag else "frame")
            # Camera and video frames are searched smaller: a few ms instead of ~20.
            careful = self.careful
            judge = CarefulDoor(door) if careful else door
            verdict = judge_image(judge, frame, self.threshold, find_faces=self.find_faces,
                                  max_side=LIVE_SIDE if tag == "live" else STILL_SIDE,
                                  rule=self.rule)
            res = FrameResult(seq, frame, verdict.probability, 0.0, tag, verdict)
            res.careful = careful
        except CnnExplorerError as exc:
            self._emit("errored", str(exc), tag)
            return
        except Exception as exc:  # noqa: BLE001 - keep the thread alive for the next frame
            self._emit("errored", f"{tag or 'frame'}: prediction failed ({type(exc).__name__}: "
                              f"{exc})", tag)
            return
        if self.explain and verdict.judged:
            # Explain what the model judged: the deciding face's crop, or the frame. The
            # verdict is already made and does not wait on this: a failure here is noted on
            # the result (and said once), never in place of it.
            crop = verdict.mode == FACES
            res.overlay_is_crop = crop
            self._look_inside(door, verdict.deciding.crop if crop else frame, res)
        res.latency_ms = (time.perf_counter() - start) * 1e3
        self.processed += 1
        self._emit("result", res)
        for text in res.inside_errors:
            if text not in self._inside_said:
                self._inside_said.add(text)
                self._emit("errored", text, None)

    def _look_inside(self, door, image: np.ndarray, res: FrameResult) -> None:
        """The heatmap and the feature maps (with a Conv2D layer's probe) of what was judged;
        each part that fails is noted in `res.inside_errors` and the other still runs."""
        try:
            if self._inspector is None or self._inspector.door is not door:
                self._inspector = Inspector(door)
        except Exception as exc:  # noqa: BLE001 - the verdict stands without an explanation
            res.inside_errors.append(f"Look inside: this model cannot be inspected "
                                     f"({type(exc).__name__}: {exc}); the door still judges.")
            return
        # The layer pickers name the previous model's layers until the GUI thread hears
        # of this one: a name this model lacks means "not chosen yet", not an error.
        known = {info.name for info in self._inspector.layers}
        cam_layer = self.cam_layer if self.cam_layer in known else None
        feature_layer = self.feature_layer if self.feature_layer in known else None
        for what, part in (("the heatmap", lambda: self._explain(image, cam_layer, res)),
                           (f"the maps of {feature_layer}",
                            lambda: self._show_layer(image, feature_layer, res))):
            try:
                part()
            except Exception as exc:  # noqa: BLE001 - the verdict stands without it
                res.inside_errors.append(f"Look inside: {what} failed ({type(exc).__name__}: "
                                         f"{exc}); the door still judges.")

    def _explain(self, image: np.ndarray, cam_layer: str | None, res: FrameResult) -> None:
        cam = self._inspector.gradcam(image, cam_layer, "decision", self.threshold,
                                      self.cam_method)
        res.heatmap, res.cam_layer, res.cam_target = cam.heatmap, cam.layer, cam.target
        res.cam_method = cam.method
        h, w = image.shape[:2]
        # Blend at display size: big camera frames shrink to DISPLAY_SIDE, small ones (a
        # 64x64 dataset image) grow to MIN_DISPLAY_SIDE so the heat keeps smooth edges.
        scale = min(1.0, DISPLAY_SIDE / max(h, w))
        if max(h, w) < MIN_DISPLAY_SIDE:
            scale = MIN_DISPLAY_SIDE / max(h, w)
        shown = image if scale == 1.0 else resize_array(
            image if image.ndim == 3 else image[:, :, None],
            (max(1, round(h * scale)), max(1, round(w * scale))))
        res.overlay = overlay(shown, cam.heatmap)

    def _show_layer(self, image: np.ndarray, layer: str | None, res: FrameResult) -> None:
        if not layer:
            return
        seen = self._inspector.layer_maps(image, layer)
        res.feature_layer, res.feature_maps = layer, seen.maps
        res.conv_probe, res.conv_note = seen.probe, seen.note
