"""Pinyin initials, so a dispatcher can find 张秀英 by typing ``zxy``."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def name_initials(name: str) -> str:
    """Lower-case initials of each character's pinyin (``张秀英`` -> ``zxy``); other letters kept."""
    # One item per non-Chinese character, so "Li Na" gives "lina" rather than "l".
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]
    return "".join(part[:1].lower() for part in letters if part and part[:1].isalnum())[:20]
