"""The Training panel's actions on saved runs (Evaluate, Continue, Export, Delete) and on a
transfer-learning source: each slow step runs in a `gui.workers.Worker`, the results come
back to the panel's views. A mixin of `TrainingPanel` (it uses the panel's widgets and launchers).
"""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtWidgets import QFileDialog, QMessageBox

from cnnexplorer.gui.errors import present_error
from cnnexplorer.core.train import jobs
from cnnexplorer.gui.workers import Worker



def _title_html(title) -> str:
    """The core's ResultTitle as the evaluation view's rich text: the subject in bold."""
    return f"<b>{html.escape(title.subject)}</b>, {html.escape(title.detail)}"

class RunActions:
    def _run_aux(self, job, on_done, what: str) -> None:
        if self.aux_worker is not None and self.aux_worker.is_running():
            self.status_label.setText("Still busy with the previous request.")
            return
        # The panel forgets the worker when it has finished; the worker module frees it on
        # the GUI thread. (Issue 17: the worker used to delete itself through deleteLater
        # while `aux_worker` still named it, so the next Evaluate asked a deleted C++ object
        # whether it was running: "Internal C++ object (TrainingWorker) already deleted".)
        worker = Worker(job, what,
                        on_error=lambda exc: present_error(self, f"Could not {what}", exc))
        worker.returned.connect(on_done)
        worker.finished.connect(self._on_aux_worker_finished)
        self.aux_worker = worker
        self.status_label.setText(f"{what}...")
        worker.start()

    def _on_aux_worker_finished(self) -> None:
        if self.aux_worker is not None and self.aux_worker.is_finished():
            self.aux_worker = None

    def _selected_run_or_say(self):
        run = self.runs_list.selected_run()
        if run is None:
            self.status_label.setText("Select a run in the list first.")
        return run

    def _on_evaluate_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is not None:
            self._run_aux(jobs.evaluate_job(run, self.session.dataset, self.dataset_source()),
                          self._on_evaluation_done, "evaluate the run")

    def _on_evaluation_done(self, out) -> None:
        result, images, title, model_path, model_name = out
        self.evaluation.show_result(result, images, _title_html(title), model_path, model_name)
        self.tabs.setCurrentWidget(self.evaluation)
        self.status_label.setText(f"Evaluated the best model: {result.split} accuracy "
                                  f"{result.accuracy:.1%}")

    def _on_evaluation_compare_requested(self, crops: int) -> None:
        """Compare the ticked runs (or the selected one): alone, as an ensemble, with crops."""
        runs = self.runs_list.checked_runs() or [r for r in [self._selected_run_or_say()] if r]
        if not runs:
            return
        self._run_aux(jobs.test_time_job(runs, crops, self.session.dataset,
                                         self.dataset_source()),
                      self._on_comparison_done, "compare the runs at test time")

    def _on_comparison_done(self, out) -> None:
        comparison, images, title = out
        self.evaluation.show_comparison(comparison, images, _title_html(title))
        self.tabs.setCurrentWidget(self.evaluation)
        best = comparison.best()
        self.status_label.setText(f"Compared: best {best.label}, accuracy "
                                  f"{best.result.accuracy:.1%}")

    def _on_continue_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is not None:
            self._launch(jobs.continue_job(run, self.session.dataset, self.dataset_source(),
                                           self.form.epochs.value()), "continue")

    def _on_export_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the run's best model", run.name,
            "Keras (*.keras);;Keras HDF5, as the course (*.h5);;TensorFlow Lite (*.tflite);;"
            "SavedModel folder (*)")
        if not path:
            return
        fmt = ("keras" if "*.keras" in chosen else "h5" if "*.h5" in chosen else
               "tflite" if "tflite" in chosen else "savedmodel")
        self._run_aux(lambda on_event, stop: run.export(path, fmt),
                      lambda dest: self.status_label.setText(f"Exported to {dest}"),
                      "export the model")

    def _on_delete_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is None:
            return
        answer = QMessageBox.question(self, "Delete run", f"Delete the run {run.name} and its "
                                      f"models? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            run.delete()
        except Exception as exc:  # noqa: BLE001 - a locked or read-only folder: shown
            present_error(self, "Could not delete the run", exc)
        self.runs_list.refresh()

    # ----- transfer learning
    def _on_transfer_load_requested(self, source) -> None:
        self._run_aux(jobs.load_transfer_source_job(source), self._on_transfer_source_loaded,
                      "load the source model")

    def _on_transfer_source_loaded(self, out) -> None:
        model, blocks, network, name = out
        self._transfer_source = (model, network, name)
        self.transfer.set_source(name, blocks)
        self.status_label.setText(f"Transfer source: {name}")

    def _on_transfer_start_requested(self, freeze: int, cache: bool) -> None:
        if self._transfer_source is None:
            return
        model, network, name = self._transfer_source
        try:
            # the head trains on fixed (possibly cached) features: no augmentation
            config = dataclasses.replace(self.form.config(), augment={})
        except Exception as exc:  # noqa: BLE001 - a bad setting or a bug: shown, app goes on
            present_error(self, "Cannot start transfer learning", exc)
            return
        self._cached_mode = cache
        self._launch(jobs.transfer_job(model, network, name, self.dataset_source(), freeze,
                                       cache, config), "transfer learning")
