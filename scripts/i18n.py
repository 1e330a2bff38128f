"""Keep the message catalogues in step with the code.

    python scripts/i18n.py update   # extract messages, update zh and en catalogues
    python scripts/i18n.py merge    # write carehub/translations/zh_src/*.json into zh
    python scripts/i18n.py check    # list msgids without a Chinese translation (exit 1 if any)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "carehub" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_SRC = TRANSLATIONS / "zh_src"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def update() -> None:
    subprocess.run(
        [*PYBABEL, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "--no-location", "--sort-output", "-o", str(POT), "."],
        cwd=ROOT, check=True,
    )
    subprocess.run(
        [*PYBABEL, "update", "--no-fuzzy-matching", "-i", str(POT), "-d", str(TRANSLATIONS)],
        cwd=ROOT, check=True,
    )


def merge() -> None:
    with ZH_PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    added = 0
    for path in sorted(ZH_SRC.glob("*.json")):
        for msgid, msgstr in json.loads(path.read_text(encoding="utf-8")).items():
            message = catalog.get(msgid)
            # The sources are the truth: a changed translation replaces the old one.
            if message is not None and msgstr and message.string != msgstr:
                message.string = msgstr
                message.flags.discard("fuzzy")
                added += 1
    with ZH_PO.open("wb") as fh:
        write_po(fh, catalog, width=100)
    print(f"merged {added} translations into {ZH_PO.relative_to(ROOT)}")


def missing() -> list[str]:
    with ZH_PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    return [m.id for m in catalog if m.id and (not m.string or "fuzzy" in m.flags)]  # type: ignore[misc]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "merge":
        merge()
    elif command == "check":
        gaps = missing()
        for msgid in gaps:
            print(f"untranslated: {msgid!r}")
        print(f"{len(gaps)} untranslated")
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
