"""``carehub seed ...`` commands."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    @main.group("seed")
    def seed_group() -> None:
        """Load demo or scale-test data."""
