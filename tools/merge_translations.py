"""Fill the English and Turkish catalogues from translated PO files (by msgid):
``python tools/merge_translations.py LANG FILE.po [FILE.po ...]``.

Only empty entries of ``app/translations/LANG/LC_MESSAGES/messages.po`` are filled;
what is there already stays. Prints what is still untranslated.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    language, sources = sys.argv[1], sys.argv[2:]
    target = ROOT / "app" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with target.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found: dict[object, object] = {}
    for source in sources:
        with open(source, "rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and message.string:
                    found[(message.id, message.context)] = message.string
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    found.setdefault((key, message.context), message.string)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        filled = message.string if isinstance(message.string, str) else all(message.string)
        if filled:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        string = found.get((message.id, message.context)) or found.get((key, message.context))
        if string and isinstance(string, type(message.string)):
            message.string = string
        else:
            missing.append(key)
    with target.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_by_file=True, include_previous=False)
    for key in missing:
        print(f"untranslated ({language}): {key}")


if __name__ == "__main__":
    main()
