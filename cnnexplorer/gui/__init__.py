"""The desktop application (PySide6): one package per panel, shared widgets, the window.

Start it with `gui.app.run_app()`; it applies `pyside_refcount.immortalize_singletons()` first.
"""
