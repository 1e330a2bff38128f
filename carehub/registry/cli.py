"""``carehub import``, ``carehub export`` and ``carehub coverage``."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    @main.group("import")
    def import_group() -> None:
        """Import stations, elders, caregivers, service types or care plans from CSV/XLSX."""
