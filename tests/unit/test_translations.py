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


def test_no_message_has_two_different_chinese_sources() -> None:
    # The catalogue keeps whichever source file came first, so two translations of one
    # msgid would leave one screen worded for the other's context.
    import json

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((ROOT / "carehub/translations/zh_src").glob("*.json")):
        for msgid, text in json.loads(path.read_text(encoding="utf-8")).items():
            first = seen.setdefault(msgid, (path.name, text))
            if first[1] != text:
                clashes.append(f"{msgid!r}: {first} vs {(path.name, text)}")
    assert not clashes, "; ".join(clashes)


def test_catalogue_agrees_with_the_sources() -> None:
    import json

    with (ROOT / "carehub/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = {m.id: m.string for m in read_po(fh, locale="zh") if m.id}
    differ = []
    for path in sorted((ROOT / "carehub/translations/zh_src").glob("*.json")):
        for msgid, text in json.loads(path.read_text(encoding="utf-8")).items():
            if msgid in catalog and catalog[msgid] and catalog[msgid] != text:
                differ.append(f"{msgid!r}: catalogue {catalog[msgid]!r}, {path.name} {text!r}")
    assert not differ, "; ".join(differ[:20])


def test_values_shown_from_data_have_labels() -> None:
    """Enum values, reasons and audit record types, fields and actions reach the pages as
    data, where the message extraction above cannot see them: each needs a label."""
    import enum
    import re

    from carehub import models  # noqa: F401  (every model registered)
    from carehub.admin import audit_view
    from carehub.core import enums
    from carehub.core.audit.log import _SECRET_COLUMNS, Audited
    from carehub.db import Base
    from carehub.dispatch.board import sick
    from carehub.dispatch.reasons import REASONS
    from carehub.routing import problem
    from carehub.routing.repair import shortfall

    missing = [
        f"enum {member!r}"
        for obj in vars(enums).values()
        if isinstance(obj, type) and issubclass(obj, enum.StrEnum) and obj is not enum.StrEnum
        for member in obj
        if member not in enums.LABELS
    ]
    reasons = [getattr(problem, n) for n in dir(problem) if n.startswith("REASON_")]
    reasons += [sick.REASON_PAIR, sick.REASON_SKIPPED, sick.REASON_PASSED]
    reasons += [shortfall.REASON_NO_CIRCLE]
    missing += [f"reason {r!r}" for r in reasons if r not in REASONS]
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if not issubclass(cls, Audited):
            continue
        if cls.__name__ not in audit_view.ENTITY_LABELS:
            missing.append(f"record type {cls.__name__}")
        missing += [
            f"field {cls.__name__}.{c.key}"
            for c in mapper.column_attrs
            if c.key not in _SECRET_COLUMNS and c.key not in audit_view.FIELD_LABELS
        ]
    code = "\n".join(p.read_text() for p in (ROOT / "carehub").rglob("*.py"))
    actions = set(re.findall(r"audit\.record\(\s*(?:db\.)?session,\s*\"([a-z_]+)\"", code))
    missing += [f"action {a}" for a in sorted(actions) if a not in audit_view.ACTION_LABELS]
    assert not missing, missing


def test_an_unknown_choice_names_the_chinese_words_accepted() -> None:
    from carehub.registry.imports.fields import CARE_LEVEL

    expected = CARE_LEVEL.expected()
    assert expected.startswith("无、轻度、中度、重度") and "none, mild" in expected
