"""Fill the English catalogue from scripts/translations_en.json (msgid -> English)."""

import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "contest/translations/en/LC_MESSAGES/messages.po"
TABLE = json.loads((ROOT / "scripts/translations_en.json").read_text(encoding="utf-8"))

with PO.open("rb") as f:
    catalog = read_po(f, locale="en")
missing = []
for message in catalog:
    if message.id and isinstance(message.id, str):
        # a message with a context (pgettext) is keyed "context\u0004message" in the table
        key = f"{message.context}\u0004{message.id}" if message.context else message.id
        if key in TABLE:
            message.string = TABLE[key]
        elif not message.string:
            missing.append(message.id)
with PO.open("wb") as f:
    write_po(f, catalog, width=100)
if missing:
    print(f"{len(missing)} messages without English yet")
