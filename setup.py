"""Packaging glue that pyproject.toml alone cannot say.

The repository keeps `resources/` (bundled model, icons, sample images) at the top level; it
ships inside the package as `cnnexplorer.resources`, so an installed app finds it too.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["cnnexplorer", "cnnexplorer.*"]) + ["cnnexplorer.resources"],
    package_dir={"cnnexplorer.resources": "resources"},
    package_data={"cnnexplorer.resources": ["*", "**/*"]},
)
