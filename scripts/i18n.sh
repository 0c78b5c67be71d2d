#!/usr/bin/env bash
# Refresh the English catalogue from the sources and compile it.
#   scripts/i18n.sh            extract + update + compile
# Vietnamese is the source language (msgids are Vietnamese); English lives in
# contest/translations/en/LC_MESSAGES/messages.po.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _l -k lazy_gettext -k NP_:1c,2 -k lazy_pgettext:1c,2 -o /tmp/hoithi-messages.pot . >/dev/null 2>&1
pybabel update -i /tmp/hoithi-messages.pot -d contest/translations -l en --no-fuzzy-matching >/dev/null 2>&1
python3 scripts/fill_translations.py
pybabel compile -d contest/translations -l en >/dev/null 2>&1
echo "translations compiled"
