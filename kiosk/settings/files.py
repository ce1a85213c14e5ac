"""The settings file: its template, the PIN written into it, and its table in the docs.

All three are made from the schema, so a new setting appears in each without another copy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import MISSING, fields
from pathlib import Path

from ..errors import KioskError, SettingError
from ..files import UnreadableFile, read_regular
from ..pin import hash_pin
from ..private import private_dir, replace_private
from .resolve import MAX_BYTES
from .schema import Settings, specs


def template(path: Path | str) -> str:
    """A new settings file: every setting with its meaning, the ones most stalls change set."""
    lines = [
        "# The kiosk's settings for one stall. Relative paths are relative to this file.",
        f"# Start the kiosk with:  kiosk run --config {path}",
        "# Every setting is explained in docs/kiosk.md. A KIOSK_* environment variable or a",
        "# command-line flag named there overrides the value given here.",
        "",
    ]
    import textwrap

    for spec in specs().values():
        if spec.template is None:
            continue
        doc = re.sub(r"\s*\(\[[^]]+\]\([^)]*\)\)", "", spec.doc).replace("`", "")  # no Markdown links
        lines += textwrap.wrap(doc, width=88, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)
        lines += [spec.template, ""]
    lines.append("# pin_hash is written by `kiosk set-pin`; the PIN itself is never stored.")
    return "\n".join(lines) + "\n"


def set_pin(path: Path, pin: str) -> bool:
    """Store the salted hash of ``pin`` in the settings file, keeping its comments.

    Creates the file from :func:`template` when it does not exist; returns True if it did."""
    return write_setting(path, "pin_hash", hash_pin(pin))


def set_signer_key(path: Path, key: str) -> bool:
    """Store the campaign's signer key (:mod:`kiosk.signers`) in the settings file, as :func:`set_pin` does.
    The file is readable by its owner only, as a file holding a secret must be."""
    from ..signers import check_key

    try:
        key = check_key(key)
    except ValueError as exc:
        raise SettingError(str(exc), field="signer_key", source=str(path)) from None
    return write_setting(path, "signer_key", key)


def write_setting(path: Path, name: str, value: str) -> bool:
    """Set top-level setting ``name`` in the settings file, keeping its comments and other lines;
    the file is written whole or not at all, readable by its owner only. Creates it from
    :func:`template` when it does not exist; returns True if it did."""
    return _rewrite(path, {name: value}, check=False)


def write_settings(path: Path, values: Mapping[str, str | bool]) -> bool:
    """Set several top-level settings at once (``kiosk setup``), as :func:`write_setting` sets one,
    and only if the file as it would be written loads: every value passes its setting's check
    (:mod:`.schema`) and the file's other settings still do. A SettingError names the file and
    the setting, and nothing is written. Returns True if the file was created."""
    schema = specs()
    for name in values:
        if name not in schema or schema[name].section:
            raise SettingError("not a setting the assistant writes", field=name, source=str(path))
    return _rewrite(path, values, check=True)


def _rewrite(path: Path, values: Mapping[str, str | bool], *, check: bool) -> bool:
    import tomlkit  # keeps comments when it rewrites the file; only these commands need it

    path = Path(path)
    where = str(path)
    created = not path.exists() and not path.is_symlink()
    try:
        text = template(path) if created else read_regular(path, MAX_BYTES).decode("utf-8")
        doc = tomlkit.parse(text)
    except UnreadableFile as exc:
        raise SettingError(str(exc), source=where) from None
    except UnicodeDecodeError as exc:
        raise SettingError(f"not UTF-8 text (byte {exc.start}): not a settings file", source=where) from None
    except tomlkit.exceptions.ParseError as exc:
        raise SettingError(f"not valid TOML: {exc}", source=where) from None
    for name, value in values.items():
        doc[name] = value
    new_text = tomlkit.dumps(doc)
    try:
        private_dir(path.parent)
    except OSError as exc:
        raise SettingError(f"cannot write: {exc.strerror or exc}", source=where) from None
    if check:
        _check_loads(path, new_text)
    # Written whole or not at all, never over anything but a settings file (a .toml that is text).
    with replace_private(path, suffixes=(".toml",), encoding="utf-8") as f:
        f.write(new_text)
    return created


def _check_loads(path: Path, text: str) -> None:
    """SettingError (naming ``path``) unless ``text``, as the settings file ``path``, loads as
    ``kiosk run`` reads it: read back from a private file beside it (relative paths mean the same)."""
    import os
    import tempfile

    from .resolve import resolve

    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check.toml", dir=path.parent)
    except OSError as exc:
        raise SettingError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            resolve(config=Path(name), environ={})
        except SettingError as exc:
            raise exc.at(str(path), exc.field) from None
        except KioskError as exc:  # a PIN hash the schema's check refused
            raise SettingError(exc.problem, field=exc.field, source=str(path)) from None
    finally:
        with suppress(OSError):
            os.unlink(name)


def markdown_table() -> str:
    """The table of settings in ``docs/kiosk.md``."""
    rows = ["| Setting | Default | Environment, flag | Meaning |", "|---|---|---|---|"]
    defaults = {f.name: f.default for f in fields(Settings)}
    for name, spec in specs().items():
        default = spec.default_doc or ("none" if defaults[name] in (None, MISSING) else literal(defaults[name]))
        overrides = ", ".join(f"`{x}`" for x in (spec.env, spec.flag) if x) or "settings file only"
        rows.append(f"| `{name}` | {default} | {overrides} | {spec.doc} |")
    return "\n".join(rows) + "\n"


def literal(value: object) -> str:
    """A default as the docs show it: `60`, `false`, `Kiosk`."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"
