"""Every user-facing string in the code and templates has a Chinese translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("carehub/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_chinese_translation() -> None:
    with (ROOT / "carehub/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_extracted() - translated)
    assert not missing, (
        "untranslated (run `python scripts/i18n.py update`, add Chinese, then `merge`): "
        + "; ".join(missing[:20])
    )
