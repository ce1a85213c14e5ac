"""What one outbox row sends: its content, always, and its personal data as the stall allows.

``personal_data`` (the ``[sync] personal_data`` setting):

- ``none``: no name, message or address ever leaves the laptop (``personal`` is null);
- ``consented`` (the default): a letter's name and message, and the address given with it,
  only where its visitor said *yes* to being contacted and that answer is kept;
- ``all``: every letter's name and message, every address given.

A row whose personal data was removed (purged, forgotten) sends its fields as null under
``consented`` and ``all`` (the office drops what it had got); under ``none``, nothing.

A paper letters entry's note is the organiser's own words, and may name a school or a person:
no visitor said yes to anything for it, so it leaves only under ``all``. A letter's signer
fingerprint is not in ``personal``: it is sent under every policy (the office counts likely
duplicates by it, and cannot turn it back into a name without the campaign's key).
"""

from __future__ import annotations

from typing import Any

from ..store import OutboxRow
from ..sync_protocol import PERSONAL_DATA, row


def personal_for(item: OutboxRow, policy: str) -> dict[str, Any] | None:
    """The personal data ``item`` may send under ``policy`` (None: none at all)."""
    if policy not in PERSONAL_DATA:
        raise ValueError(f"personal_data {policy!r} is not one of {', '.join(PERSONAL_DATA)}")
    if policy == "none" or not item.personal:
        return None
    if item.purged:
        return dict.fromkeys(item.personal)
    if policy == "all" or item.consented:
        return dict(item.personal)
    return None


def upload_row(item: OutboxRow, policy: str) -> dict[str, Any]:
    """``item`` as a row of an upload (:func:`kiosk.sync_protocol.row`)."""
    return row(item.kind, item.content, personal_for(item, policy), item.signer)
