"""``kiosk signer-key``: the campaign's secret for finding likely duplicates (:mod:`kiosk.signers`).

``new`` writes a fresh key into this kiosk's settings file and shows it once, to set on the
campaign's other kiosks with ``set``; ``id`` shows which key a kiosk uses (8 hex digits, the
same on every kiosk of a campaign), never the key."""

from __future__ import annotations

import click

from .base import EXIT_FAILED, EXIT_OK, cli, echo, outcome
from .options import settings, settings_file, settings_options


@cli.group("signer-key")
def signer_key() -> None:
    """The campaign's secret that finds people who sign a case twice, without keeping names.

    Every kiosk of a campaign needs the same key (docs/duplicates.md)."""


@signer_key.command("new")
@settings_options()
@click.option("--replace", is_flag=True, help="Replace a key already set (letters signed before are then never"
                                              " matched with letters signed after).")
@outcome
def new(replace: bool) -> int:
    """Make a new signer key and write it into the settings file (readable by its owner only).

    Shows it once: set the same key on the campaign's other kiosks with `kiosk signer-key set`."""
    from ..application import key_id, new_key, set_signer_key

    path = settings_file()
    current = settings().signer_key if path.exists() else None
    if current and not replace:
        echo(f"Error: {path}: signer_key: a key is set already (id {key_id(current)}); every kiosk of the"
             " campaign must keep the same one. Use --replace to make another anyway.", err=True)
        return EXIT_FAILED
    key = new_key()
    created = set_signer_key(path, key)
    echo(f"{'Created' if created else 'Updated'} {path}: signer key set (id {key_id(key)}).")
    echo(f"Set the same key on every other kiosk of this campaign (kiosk signer-key set): {key}")
    return EXIT_OK


@signer_key.command("set")
@settings_options()
@outcome
def set_key() -> int:
    """Write the campaign's signer key (typed or pasted, not shown) into the settings file."""
    from ..application import key_id, set_signer_key

    path = settings_file()
    key = click.prompt("Signer key", hide_input=True).strip()
    created = set_signer_key(path, key)
    echo(f"{'Created' if created else 'Updated'} {path}: signer key set (id {key_id(key)}).")
    return EXIT_OK


@signer_key.command("id")
@settings_options()
def show_id() -> int:
    """Show the id of the signer key this kiosk uses: the same on every kiosk of a campaign."""
    from ..application import key_id

    key = settings().signer_key
    if not key:
        echo("No signer key set: letters are not checked for duplicates (kiosk signer-key new).")
        return EXIT_FAILED
    echo(f"Signer key id: {key_id(key)}")
    return EXIT_OK
