from cnnexplorer.gui.pyside_refcount import immortalize_singletons

immortalize_singletons()  # before any Qt call: see pyside_refcount.py (PySide6 6.12, Py 3.11)
