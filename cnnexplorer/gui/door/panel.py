"""The Happy door panel: the course's Happy House, on photos, a webcam, and your own face.

Sources (files, a dropped folder, the clipboard, a webcam, a video file or image sequence)
feed one InferenceWorker that finds the faces in the newest frame and judges each, off the
GUI thread. The frame shows a box per face, the column beside it the crops the model judged;
the door, the probability, the threshold and the strip of recent decisions (click one to see
it again) follow the most prominent face. The "Look inside" tab shows Grad-CAM and feature
maps; the "Teach the door" tab captures frames and trains a door model on them. Problems
(bad files, no camera, a model that does not fit) are shown in the panel's message line,
never as a crash.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from cnnexplorer.core.door.rules import DEFAULT_RULE, RULES
from cnnexplorer.gui.door.door_view import DecisionStripArea
from cnnexplorer.gui.door.face_crops import FaceCrops
from cnnexplorer.gui.door.folder_scoring import FolderScoring
from cnnexplorer.gui.door.frame_view import FrameView
from cnnexplorer.gui.door.judged import crop_tiles, explanation, face_marks
from cnnexplorer.gui.door.inference_worker import InferenceWorker
from cnnexplorer.gui.door.inside import LookInside
from cnnexplorer.gui.door.models import ModelPicker
from cnnexplorer.gui.door.sources import DoorSources
from cnnexplorer.gui.door.teach import TeachBox
from cnnexplorer.gui.door.verdict_view import VerdictView
from cnnexplorer.core.door.gradcam import spatial_layers

#: a streaming source adds to the strip when the decision flips, or at most this often
STRIP_EVERY_S = 1.5
#: decisions the strip shows (scrolling sideways); a folder of 16 photos keeps all 16
#: (issue 17: it kept 12 and silently lost 4); beyond this the label says how many went
STRIP_CAPACITY = 500
#: the newest decisions keep their whole result (frame, heatmap, feature maps: megabytes
#: each); older ones keep their thumbnail and file name, and a click judges the file again
STRIP_KEEPS_RESULTS = 24


def _result_stand_in(res):
    """What an older strip entry keeps of its FrameResult: the file it came from ("live");
    anything else (already a stand-in, None) as it is."""
    tag = getattr(res, "tag", None)
    return res if tag is None else str(tag)


class DoorPanel(DoorSources, QWidget):
    """The Happy door. `DoorPanel(session)`; the main window adds it as a tab."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setAcceptDrops(True)
        self.worker = InferenceWorker(self)  # its loop runs in a gui.workers.Worker
        self.source = None
        self.messages: deque[str] = deque(maxlen=50)
        self.last_result = None
        self._files: deque[Path] = deque()
        self._file_in_flight: int | None = None
        self._still_frame: np.ndarray | None = None
        self._live_frame: np.ndarray | None = None
        self._last_strip = (0.0, None)
        self._reruns: set[int] = set()  # still images judged again (new model or layer)
        self._still_tag = "image"
        # the model path a still's "judged by run ..." caption names; another model loaded
        # makes that caption wrong (issue 17), so it goes with the model
        self._still_judged_by: str | None = None
        self._showing_earlier = False  # the message line says an earlier decision is shown
        self._still_judged = False  # False while the still image waits for its first verdict
        self._error_shown = False  # the message line shows an error of an earlier action
        self._fps_times: deque[float] = deque(maxlen=30)
        self._frame_ms: dict[str, float] = {}  # smoothed ms per frame, "plain" / "careful"
        self.folder_scoring = FolderScoring(self)
        self._build()
        self._connect()
        app = QApplication.instance()
        if app is not None:  # a tab is not closed with the window: stop threads on quit
            app.aboutToQuit.connect(self.shutdown)
        # The bundled model (and with it TensorFlow) loads when the door is first shown or
        # first given an image, not while the window starts.

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_files_btn = QPushButton("Open images…")
        self.open_folder_btn = QPushButton("Open folder…")
        self.paste_btn = QPushButton("Paste")
        self.paste_btn.setToolTip("Judge the image on the clipboard (Ctrl+V)")
        self.camera_combo = QComboBox()
        self.camera_btn = QPushButton("Start camera")
        self.camera_btn.setCheckable(True)
        self.video_btn = QPushButton("Play video…")
        self.video_btn.setToolTip("A video file or animated GIF through the same pipeline as "
                                  "the camera")
        self.models = ModelPicker(self.session, self.worker, self)
        self.camera_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.camera_combo.setMinimumContentsLength(14)
        bar = QHBoxLayout()
        self.score_btn = QPushButton("Score a folder…")
        self.score_btn.setToolTip("Score the door on a folder of labelled photos (happy/ and "
                                  "not_happy/, or names ending _1 / _0): each photo judged as "
                                  "the door judges it, with the confusion matrix, ROC AUC, the "
                                  "best threshold and the faces not found")
        for w in (self.open_files_btn, self.open_folder_btn, self.paste_btn, self.score_btn):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Camera"))
        bar.addWidget(self.camera_combo, 1)
        bar.addWidget(self.camera_btn)
        bar.addWidget(self.video_btn)
        # the model on a row of its own: one row with everything needed 1,100 px (issue 13)
        model_row = QHBoxLayout()
        model_row.addWidget(self.models, 1)

        self.frame_view = FrameView()
        self.crops = FaceCrops()
        self.faces_label = QLabel("The door looks for faces and judges each one.")
        self.find_faces = QCheckBox("Find faces")
        self.find_faces.setChecked(True)
        self.find_faces.setToolTip("Find every face and judge its crop; the rule beside decides "
                                   "between several. Off: judge the whole frame, stretched to "
                                   "the model's input (the door before it could find faces).")
        self.rule_combo = QComboBox()
        for key, words in RULES.items():
            self.rule_combo.addItem(words, key)
        self.rule_combo.setCurrentIndex(self.rule_combo.findData(DEFAULT_RULE))
        self.rule_combo.setToolTip("Several faces: the door opens when anyone smiles (the "
                                   "default), follows the largest face, or opens only when "
                                   "everyone smiles. Each face's box says its own verdict.")
        self.careful = QCheckBox("Careful")
        self.careful.setToolTip("Judge each face with its mirror too and average the two: the "
                                "notes' test-time trick, for twice the model's time per face "
                                "(the added time per frame is shown below)")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stats = QLabel("")
        # Labels whose text changes with every frame must not change their size hint: a
        # relayout would repaint every sibling (the pyqtgraph view costs ~30 ms a paint).
        for label in (self.message, self.stats, self.faces_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.faces_label.setWordWrap(True)
        # On a row of its own under the faces controls, the column's whole width: beside
        # them it was squeezed to "The doo / look / for" at 1024x700. Two lines hold the
        # longest ("12 faces found; the door opens only when everyone smiles (face 12
        # decides).") in the frame's column at 1024x700.
        self.faces_label.setFixedHeight(self.fontMetrics().height() * 2 + 4)
        self.message.setFixedHeight(self.fontMetrics().height() * 2 + 4)
        self.stats.setFixedHeight(self.fontMetrics().height() + 4)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        pictures = QHBoxLayout()
        pictures.addWidget(self.frame_view, 1)
        pictures.addWidget(self.crops)
        lv.addLayout(pictures, 1)
        faces_row = QHBoxLayout()
        faces_row.addWidget(self.find_faces)
        faces_row.addWidget(QLabel("Open when"))
        faces_row.addWidget(self.rule_combo)
        faces_row.addWidget(self.careful)
        faces_row.addStretch(1)
        lv.addLayout(faces_row)
        lv.addWidget(self.faces_label)
        lv.addWidget(self.stats)
        lv.addWidget(self.message)

        self.verdict = VerdictView()
        # the verdict column's widgets, under the names the panel's callers use
        self.door, self.prob_bar = self.verdict.door, self.verdict.prob_bar
        self.threshold, self.decision_label = self.verdict.threshold, self.verdict.decision_label

        self.inside = LookInside()
        self.teach = TeachBox(self.session, self, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inside, "Look inside")
        self.tabs.addTab(self.teach, "Teach the door")

        split = QSplitter(Qt.Orientation.Horizontal)
        for w in (left, self.verdict, self.tabs):
            split.addWidget(w)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 3)
        self.strip_area = DecisionStripArea(STRIP_CAPACITY, keep_data=STRIP_KEEPS_RESULTS,
                                            light=_result_stand_in)
        self.strip = self.strip_area.strip
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(model_row)
        layout.addWidget(split, 1)
        layout.addWidget(self.strip_area)
        self._refresh_cameras()

    def _connect(self) -> None:
        self.open_files_btn.clicked.connect(self._on_open_files_clicked)
        self.open_folder_btn.clicked.connect(self._on_open_folder_clicked)
        self.score_btn.clicked.connect(self.folder_scoring.ask)
        self.paste_btn.clicked.connect(self.paste)
        QShortcut(QKeySequence.StandardKey.Paste, self, activated=self.paste)
        self.camera_btn.toggled.connect(self._on_camera_toggled)
        self.video_btn.clicked.connect(self._on_video_clicked)
        self.verdict.threshold_changed.connect(self._on_threshold_changed)
        self.strip.activated.connect(self._on_strip_activated)
        self.find_faces.toggled.connect(self._on_find_faces_toggled)
        self.rule_combo.currentIndexChanged.connect(self._on_rule_changed)
        self.careful.toggled.connect(self._on_careful_toggled)
        self.worker.result.connect(self._on_worker_result)
        self.worker.errored.connect(self._on_worker_errored)
        self.worker.model_loaded.connect(self._on_worker_model_loaded)
        self.worker.model_failed.connect(self._on_worker_model_failed)
        self.inside.settings_changed.connect(self._on_inside_settings_changed)
        self.session.open_in_door.connect(self._on_session_open_in_door)

    # -- messages --------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        self.messages.append(text)
        colour = "#b42318" if error else "#344054"
        self.message.setText(f"<span style='color:{colour}'>{text}</span>")
        self.message.setToolTip("\n".join(self.messages))
        self._error_shown = error
        self._showing_earlier = False  # said by _on_strip_activated after its message

    def _clear_old_error(self) -> None:
        """A new image was judged: an error about an earlier one no longer applies (it
        stays in the message line's tooltip)."""
        if self._error_shown:
            self._error_shown = False
            self.message.setText("")

    # -- results ---------------------------------------------------------------------------
    def _on_worker_result(self, res) -> None:
        self.last_result = res
        live = res.tag == "live"
        rerun = res.seq in self._reruns
        self._reruns.discard(res.seq)
        if live and self.source is None:
            return  # a frame judged after its stream was stopped
        if not live:
            self._still_frame, self._still_tag = res.frame, str(res.tag)
            self._still_judged = True
            if not rerun:
                self._clear_old_error()
        if not rerun:
            self._forget_earlier_decision()
        is_open = self._display(res)
        self.inside.show_result(res)
        now = time.perf_counter()
        self._fps_times.append(now)
        last_t, last_open = self._last_strip
        if (not live and not rerun) or (live and (is_open != last_open or
                                                  now - last_t > STRIP_EVERY_S)):
            caption = "" if live else Path(str(res.tag)).name
            self.strip.add(res.frame, res.probability, is_open, caption, res)
            self._last_strip = (now, is_open)
        self._update_stats(res)
        if res.seq == self._file_in_flight:
            self._file_in_flight = None
            self._pump_files()

    def _display(self, res) -> bool:
        """Show a judged frame: boxes, crops, the door. Returns whether the door is open."""
        t = self.threshold_value()
        heat = self.inside.show_cam.isChecked() and res.overlay is not None
        whole_heat = heat and not res.overlay_is_crop
        caption = "" if res.tag == "live" else Path(str(res.tag)).name
        self.frame_view.set_frame(res.overlay if whole_heat else res.frame, caption,
                                  [] if whole_heat else face_marks(res.verdict, t))
        self.crops.set_tiles(crop_tiles(res, t, heat), "No face found")
        self.faces_label.setText(explanation(res))
        is_open = res.verdict is not None and res.verdict.is_open_at(t)
        return self.verdict.show_verdict(res.probability, is_open)

    def _on_strip_activated(self, res) -> None:
        """A recent decision was clicked: show that frame and its verdict again (an older
        one keeps only its thumbnail and file name: the file is judged again)."""
        if res is None:
            return
        if isinstance(res, str):  # see DecisionStrip: the result itself was let go
            if res == "live":
                self.show_message("That camera frame is no longer kept: only the newest "
                                  f"{STRIP_KEEPS_RESULTS} decisions keep their image.")
            else:
                self.show_message(f"Judging {Path(res).name} again (only the newest "
                                  f"{STRIP_KEEPS_RESULTS} decisions keep their result).")
                self.open_paths([res])
            return
        self.stop_source()
        self._files.clear()
        self.last_result = res
        self._still_frame, self._still_tag, self._still_judged = res.frame, str(res.tag), True
        self._display(res)
        self.inside.show_result(res)
        self.show_message(f"Showing an earlier decision"
                          f"{': ' + Path(str(res.tag)).name if res.tag != 'live' else ''}.")
        self._showing_earlier = True
        # its own time, said as such: the stats line no longer speaks of the newest frame
        self.stats.setText(f"judged earlier in {res.latency_ms:.1f} ms")

    def _forget_earlier_decision(self) -> None:
        """A new decision is shown: "Showing an earlier decision: x.jpg" no longer is true."""
        if self._showing_earlier:
            self._showing_earlier = False
            self.message.setText("")

    def _on_worker_errored(self, text: str, tag) -> None:
        self.show_message(text, error=True)
        self.session.status_message.emit(text)
        if self._file_in_flight is not None and tag is not None and tag != "live":
            self._file_in_flight = None
            self._pump_files()

    def _on_worker_model_loaded(self, door) -> None:
        self.models.on_loaded(door)
        if self._still_judged_by is not None and door.source != self._still_judged_by:
            # "judged by run X" no longer: the image is judged again by this model
            self._still_tag, self._still_judged_by = "from another panel", None
        if self._still_frame is None or not self._still_judged:
            self.stats.setText("")  # the time of a frame judged by another model
        self.inside.set_layers(spatial_layers(door.model))
        self.show_message(f"Door model: {self.models.active_label() or door.name} (input {door.input_shape[0]}x"
                          f"{door.input_shape[1]}x{door.input_shape[2]}, {door.output_kind})")
        self._resubmit_still()

    def _on_worker_model_failed(self, text: str) -> None:
        self.models.on_failed(text)
        self.show_message(text, error=True)

    def _on_inside_settings_changed(self) -> None:
        self.worker.explain = self.inside.explain_wanted()
        self.worker.cam_layer = self.inside.cam_layer_name()
        self.worker.cam_method = self.inside.cam_method_name()
        self.worker.feature_layer = self.inside.map_layer_name()
        self._resubmit_still()

    def _on_careful_toggled(self, on: bool) -> None:
        self.worker.careful = on
        self._resubmit_still()

    def _on_rule_changed(self, _index: int) -> None:
        """Another rule for several faces: the shown verdict is decided again at once (the
        same probabilities), and a still image is judged again for its heatmap."""
        rule = self.rule_combo.currentData()
        self.worker.rule = rule
        res = self.last_result
        if res is not None and res.verdict is not None:
            res.verdict = res.verdict.with_rule(rule)
            res.probability = res.verdict.probability
            self._display(res)
        self._resubmit_still()

    def _on_find_faces_toggled(self, on: bool) -> None:
        self.worker.find_faces = on
        self._resubmit_still()

    def _resubmit_still(self) -> None:
        if (self.source is None and self._still_frame is not None and self._still_judged
                and not self._files and self._file_in_flight is None):
            self._reruns.add(self.worker.submit(self._still_frame, tag=self._still_tag))

    def threshold_value(self) -> float:
        return self.verdict.threshold_value()

    def _on_threshold_changed(self, t: float) -> None:
        self.worker.threshold = t
        res = self.last_result
        if res is None:
            return
        self._display(res)
        if res.heatmap is not None and res.probability is not None:
            # The heatmap explains the decision it was computed for; once the slider flips
            # the decision, say so until the re-run explains the new one.
            now = "happy" if res.verdict.is_open_at(t) else "not happy"
            if now != res.cam_target:
                self.inside.info.setText(f"The door now says <b>{now}</b>: recomputing the "
                                         f"heatmap for it…")
                self._resubmit_still()

    def _update_stats(self, res) -> None:
        fps = 0.0
        if len(self._fps_times) >= 2:
            span = self._fps_times[-1] - self._fps_times[0]
            fps = (len(self._fps_times) - 1) / span if span > 0 else 0.0
        # what "careful" adds: its frame time against the plain door's, both smoothed
        key = "careful" if res.careful else "plain"
        before = self._frame_ms.get(key)
        self._frame_ms[key] = res.latency_ms if before is None else \
            0.8 * before + 0.2 * res.latency_ms
        parts = [f"{res.latency_ms:.1f} ms per frame"]
        if res.careful:
            plain = self._frame_ms.get("plain")
            parts.append("careful: each face and its mirror" + (
                f", {self._frame_ms['careful'] - plain:+.1f} ms over the plain door"
                if plain is not None else ""))
        if self.source is not None:
            parts.append(f"{fps:.1f} fps judged")
            parts.append(f"{self.worker.dropped} stale frames dropped")
        self.stats.setText(" · ".join(parts))

    # -- lifecycle -------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        self.models.load_initial()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop the stream, any training and the inference thread (window closing).

        Safe to call more than once (closeEvent, aboutToQuit, the main window).
        """
        self.stop_source()
        self.teach.shutdown()
        self.folder_scoring.shutdown()
        self.worker.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
