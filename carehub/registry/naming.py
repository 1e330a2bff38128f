"""Pinyin initials, so a dispatcher can find 张秀英 by typing ``zxy``."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin, pinyin

LIMIT = 20  # the column's width


def _initials(name: str) -> str:
    # One item per non-Chinese character, so "Li Na" gives "lina" rather than "l".
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]
    return "".join(part[:1].lower() for part in letters if part and part[:1].isalnum())


def name_initials(name: str) -> str:
    """Lower-case initials of each character's pinyin (``张秀英`` -> ``zxy``); other letters kept.

    A surname read more than one way (翟 zhai or di, 单 shan or dan, 曾 zeng or ceng) gives
    one spelling per reading, separated by spaces (``翟宝珍`` -> ``dbz zbz``): the everyday
    reading is often not the surname's, and the dispatcher types the one they hear.
    """
    first = _initials(name)
    if not name or not first:
        return first
    readings = pinyin(name[0], style=Style.FIRST_LETTER, heteronym=True)[0]
    rest = first[1:]
    spellings = list(dict.fromkeys([first, *(r[:1].lower() + rest for r in readings if r)]))
    out = spellings[0][:LIMIT]
    for extra in spellings[1:]:
        if len(out) + 1 + len(extra) > LIMIT:
            break
        out += " " + extra
    return out
