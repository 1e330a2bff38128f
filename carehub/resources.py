"""The folders kept beside the code: templates, migrations and seed inputs.

In a source checkout (editable install included) they are the top-level folders; a wheel
carries copies under ``carehub/_share/`` (see setup.py), since nothing outside the package
is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE.parent
SHARED = PACKAGE / "_share"
INSTALLED = (SHARED / "templates").is_dir()


def folder(name: str) -> Path:
    """``templates``, ``migrations`` or ``seed``, wherever this copy of CareHub keeps it."""
    return SHARED / name if INSTALLED else SOURCE_ROOT / name


def instance_folder() -> Path:
    """The writable instance folder: ``instance/`` in a checkout; under the environment's
    ``var/`` when installed, never inside site-packages."""
    if INSTALLED:
        return Path(sys.prefix) / "var" / "carehub-instance"
    return SOURCE_ROOT / "instance"
