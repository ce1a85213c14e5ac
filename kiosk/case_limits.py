"""What a case's id and texts may be: the rules a case file (:mod:`kiosk.cases`) and a case
row of another kiosk's database (:mod:`kiosk.store.rows`) share.

Here, apart from the case reader, so that the store (and every command after the event)
loads without it."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # whole id: always fullmatch()

# Longest accepted value per kind of field, in characters after cleaning.
SHORT_MAX = 120
LONG_MAX = 4000
