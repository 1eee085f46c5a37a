"""The door's default threshold, in one place for the core, the GUI and the CLI.

A module of its own, importing nothing, so that any door module (scores, Grad-CAM, the
verdict, the GUI's slider and worker, the CLI's --threshold) can quote it without pulling in
the model loading of core.door.inference.
"""

#: the door opens at this happy probability unless the user moves the slider (or --threshold)
DEFAULT_THRESHOLD = 0.5
