"""Packaging metadata lives in pyproject.toml; this only adds the top-level folders to the wheel.

templates/, migrations/ and seed/ stay at the top of the project, where the code finds them in
a checkout; a built wheel carries copies as ``carehub/_share/`` (``carehub.resources``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHARED = ("templates", "migrations", "seed")


class BuildWithSharedFolders(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the folders in place
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "carehub" / "_share"
        for name in SHARED:
            shutil.copytree(
                here / name,
                target / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithSharedFolders})
