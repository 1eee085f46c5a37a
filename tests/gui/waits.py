"""How long a GUI test waits for a condition (issue 12, item 16).

A wait ends as soon as its condition holds, so a generous limit costs nothing on a quiet
machine; it only decides when a broken test gives up. The limits hold at a load of 4 on 2
cores (the CI machine with another job beside the suite), where a step that takes 14 s alone
has been seen to take over 60 s. Not a test module: imported by the tests of tests/gui.
"""

#: work on a worker thread: loading a dataset or a model, building, training, predicting
THREAD_MS = 300_000
#: GUI-thread work: a queued signal, a timer, an animation, a repaint
UI_MS = 60_000
