"""The desktop application (PySide6): one package per panel, shared widgets, the window.

Start it with `gui.app.run_app()`; it first refuses a PySide6 that frees None
(`pyside_check`, docs/gui.md "PySide6 versions").
"""
