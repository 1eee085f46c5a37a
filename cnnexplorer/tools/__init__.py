"""Maintenance scripts run with `python -m cnnexplorer.tools.<name>`."""
