"""Resolving the settings: a flag, else the environment, else the settings file, else the default.

This is the one place settings are read. Each value is checked where it is read, so a bad
one is reported where it came from, in one line: ``stall.toml: idle_timeout: 1 seconds; use
5 to 3600``, ``KIOSK_IDLE_TIMEOUT: ...``, ``--db: ...``.

Which settings file: ``--config``, else ``KIOSK_CONFIG``, else ``kiosk.toml`` in the user
config folder. A file named by ``--config`` or ``KIOSK_CONFIG`` must exist; the default
file may be missing (then every setting is its default), except for ``kiosk run``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import locations
from ..errors import SettingError
from ..files import KB, UnreadableFile, read_regular
from .schema import DEMO_PIN_HASH, DEMO_SIGNER_KEY, Problem, Settings, Spec, specs

CONFIG_ENV = "KIOSK_CONFIG"
MAX_BYTES = 256 * KB  # a settings file is a few dozen lines; anything larger is not one
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def settings_file(config: Path | None, environ: Mapping[str, str]) -> tuple[Path, str | None]:
    """The settings file to read, and who named it (``--config``, ``KIOSK_CONFIG``, or None: the default)."""
    if config is not None:
        return Path(config).expanduser(), "--config"
    if environ.get(CONFIG_ENV, "").strip():
        return Path(environ[CONFIG_ENV].strip()).expanduser(), CONFIG_ENV
    return locations.config_file(), None


def read_file(path: Path) -> dict[str, Any]:
    """The settings file's table; SettingError naming the file when it cannot be read."""
    import tomllib  # only when there is a settings file to read

    where = str(path)
    try:
        if not path.exists() and not path.is_symlink():
            raise SettingError(f"no such settings file (create one with: kiosk set-pin --config {where})",
                               source=where)
        return tomllib.loads(read_regular(path, MAX_BYTES).decode("utf-8"))
    except UnreadableFile as exc:
        raise SettingError(str(exc), source=where) from None
    except UnicodeDecodeError as exc:
        raise SettingError(f"not UTF-8 text (byte {exc.start})", source=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingError(f"not valid TOML: {exc}", source=where) from None


def _read(spec: Spec, value: Any, *, from_text: bool, base: Path) -> Any:
    """One raw value as the setting's kind: typed in a TOML file, text in a variable or flag."""
    if spec.kind == "number":
        if from_text and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise Problem(f"{value!r} should be a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Problem(f"{value!r} should be a number")
        return value
    if spec.kind == "flag":
        if from_text and isinstance(value, str):
            if value.strip().lower() in _TRUE:
                return True
            if value.strip().lower() in _FALSE:
                return False
            raise Problem(f"{value!r} should be true or false")
        if not isinstance(value, bool):
            raise Problem(f"{value!r} should be true or false")
        return value
    if isinstance(value, Path) and spec.kind in ("folder", "file"):
        value = str(value)
    if not isinstance(value, str):
        raise Problem(f"{value!r} should be a string")
    if spec.kind not in ("folder", "file") and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8 in a variable or an argument
            raise Problem(f"{value.encode('utf-8', 'surrogateescape')!r} is not UTF-8 text") from None
    if spec.kind in ("folder", "file"):
        if not value.strip():
            raise Problem("must not be empty")
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path
    return value


def resolve(flags: Mapping[str, Any] | None = None, *, config: Path | None = None,
            environ: Mapping[str, str] | None = None, require_file: bool = False, use_file: bool = True,
            defaults: Mapping[str, Any] | None = None, demo: bool = False) -> Settings:
    """The settings, from ``flags`` (a setting's name -> its flag's value, None when not given),
    the environment, the settings file and the defaults (``defaults`` replaces some)."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    table: dict[str, Any] = {}
    path: Path | None = None
    if use_file:
        candidate, named_by = settings_file(config, environ)
        if named_by or require_file or candidate.exists():
            table, path = read_file(candidate), candidate
    schema = specs()
    table = _flatten(table, schema, str(path))
    values: dict[str, Any] = dict(defaults or {})
    origins: dict[str, str] = {}
    for name, spec in schema.items():
        if name in flags:
            raw, origin, from_text, base = flags[name], spec.flag or f"--{name}", True, Path.cwd()
        elif spec.env and environ.get(spec.env, "").strip():
            raw, origin, from_text, base = environ[spec.env], spec.env, True, Path.cwd()
        elif name in table and path is not None:
            raw, origin, from_text, base = table[name], str(path), False, path.absolute().parent
        else:
            continue
        try:
            value = _read(spec, raw, from_text=from_text, base=base)
            values[name] = spec.check(value) if spec.check is not None else value
        except Problem as exc:
            field = spec.key(name) if path is not None and origin == str(path) else None
            raise SettingError(str(exc), field=field, source=origin) from None
        origins[name] = origin
    for secret in ("sync_token", "signer_key"):
        if values.get(secret) and path is not None and origins.get(secret) == str(path):
            _owner_only(path, schema[secret].key(secret))
    return Settings(**values, path=path, demo=demo, origins=origins)


def _flatten(table: dict[str, Any], schema: dict[str, Spec], where: str) -> dict[str, Any]:
    """The file's keys as the schema names them: ``url`` in ``[sync]`` is ``sync_url``. An unknown
    key, or a sectioned setting written at the top, is refused naming it as it is written."""
    sections = {spec.section for spec in schema.values() if spec.section}
    top = [name for name, spec in schema.items() if not spec.section]
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in sections:
            known = [spec.key(name).split(".", 1)[1] for name, spec in schema.items() if spec.section == key]
            if not isinstance(value, dict):
                raise SettingError(f"should be a table ([{key}]) of {', '.join(known)}", field=key, source=where)
            for inner, inner_value in value.items():
                name = f"{key}_{inner}"
                if name not in schema or schema[name].section != key:
                    raise SettingError(f"unknown setting (known in [{key}]: {', '.join(known)})",
                                       field=f"{key}.{inner}", source=where)
                flat[name] = inner_value
        elif key in schema and not schema[key].section:
            flat[key] = value
        else:
            hint = f"; write it as {schema[key].key(key)}" if key in schema else ""
            raise SettingError(f"unknown setting (known: {', '.join([*top, *sorted(sections)])}){hint}",
                               field=key, source=where)
    return flat


def _owner_only(path: Path, field: str) -> None:
    """A settings file holding a secret (the sync token) is refused unless only its owner may read it."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # it was just read; a file gone meanwhile is no token leak
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingError(f"holds a secret but others may read it: chmod 600 {path}", field=field,
                           source=str(path))


def demo_settings(flags: Mapping[str, Any] | None = None) -> Settings:
    """``kiosk demo``: sample cases (or ``--cases``), the demo database, the preview printer,
    the demo PIN. The stall's settings (its file, and the KIOSK_* variables of the settings)
    are left out: a demo never writes to a stall's database."""
    return resolve(flags, environ={}, use_file=False, demo=True, defaults={
        "event": "Demo", "kiosk_id": "demo", "cases": locations.sample_cases_dir(), "allow_sample_cases": True,
        "printers": locations.sample_printers_dir(), "database": locations.demo_db(), "pin_hash": DEMO_PIN_HASH,
        "signer_key": DEMO_SIGNER_KEY,
    })
