"""The Architecture panel shows keras.applications entries from their shipped specs at once,
in the GUI thread: no worker, no Keras build."""

import pytest

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.zoo import applications
from cnnexplorer.gui.architecture.panel import ArchitecturePanel
from cnnexplorer.gui.session import Session

PARAMS = {"mobilenet": 4_253_864, "mobilenetv2": 3_538_984, "inceptionv3": 23_851_784,
          "resnet50v2": 25_613_800, "densenet121": 8_062_504, "efficientnetb0": 5_330_571,
          "xception": 22_910_480}


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = ArchitecturePanel(session)
    p.session_ref = session
    qtbot.addWidget(p)
    return p


def test_shipped_application_entries_build_synchronously(panel):
    assert sorted(PARAMS) == sorted(e.key for e in zoo.entries()
                                    if e.family == applications.FAMILY)
    for key, params in PARAMS.items():
        assert panel.select_entry(key)
        assert panel.busy_workers() == 0, key  # no worker was started
        assert not panel.busy.isVisibleTo(panel)
        assert panel.entry().key == key and panel.report().totals.params == params, key


def test_a_shipped_width_of_mobilenet_is_synchronous_too(panel):
    assert panel.select_entry("mobilenet")
    box = panel.form.option_box("alpha")
    box.setCurrentIndex(box.findText("0.25"))
    assert panel.busy_workers() == 0
    assert panel.report().totals.params == 475_544
