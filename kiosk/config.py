"""A stall's settings: one TOML file, read by ``kiosk run`` and written by ``kiosk set-pin``.

Relative paths in the file are relative to the file's own folder. Every problem is a
one-line ``ConfigError`` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import locations
from .pin import PinError, check_hash, hash_pin
from .private import open_private, private_dir
from .receipts.layouts import DEFAULT_CAMPAIGN
from .text import TextError, clean, validate_event, validate_kiosk_id

DEMO_PIN = "2468"
# The demo PIN's hash, worked out once (hashing takes ~40 ms, by design): the demo starts
# without it. The PIN is public; tests/test_pin.py checks that the two agree.
DEMO_PIN_HASH = "scrypt$16384$8$1$a2lvc2stZGVtby1zYWx0IQ==$RGxFuk6N1Y0EysGfGuQBEggIRy4AgmTDFFGj4Va0yQo="
DEFAULT_THEME = "kiosk-dark"
IDLE_DEFAULT, THANKS_DEFAULT = 60.0, 15.0

TEMPLATE = """\
# The kiosk's settings for one stall. Relative paths are relative to this file.
# Start the kiosk with:  kiosk run --config {path}

campaign = "Letters for Freedom"   # printed at the top of every receipt
event = "My event"                 # counts and receipts are grouped by event
kiosk_id = "stall-1"               # one per laptop: letters, digits, . _ - (up to 32)

# cases = "cases"                  # folder of case files (default: ./cases or the samples)
# printer = "epson-tm-t20-usb"     # a set-up in the printers folder, or tcp://HOST:9100, usb:VID:PID ...
# printers = "printers"            # folder of printer set-ups
# database = "kiosk.db"            # default: kiosk.db in the user data folder
# preview = "receipts"             # where receipts go while no printer is set

idle_timeout = 60                  # seconds without a touch before any screen goes home
thanks_timeout = 15                # seconds the thank-you screen stays up
theme = "kiosk-dark"               # kiosk-dark, kiosk-light or kiosk-high-contrast

# pin_hash is written by `kiosk set-pin`; the PIN itself is never stored.
"""


class ConfigError(ValueError):
    """A settings file that cannot be used: ``file: field: problem``."""


@dataclass(frozen=True)
class Config:
    campaign: str = DEFAULT_CAMPAIGN
    event: str = "Kiosk"
    kiosk_id: str = "kiosk"
    cases: Path | None = None      # None: ./cases or the samples
    printer: str | None = None     # None: the preview printer
    printers: Path | None = None
    database: Path | None = None   # None: the default database
    preview: Path | None = None    # the preview printer's folder when printer is None
    idle_timeout: float = IDLE_DEFAULT
    thanks_timeout: float = THANKS_DEFAULT
    theme: str = DEFAULT_THEME
    pin_hash: str | None = None
    demo: bool = False
    path: Path | None = None

    @property
    def cases_dir(self) -> Path:
        return self.cases or locations.cases_dir()

    @property
    def printers_dir(self) -> Path:
        return self.printers or locations.printers_dir()

    @property
    def database_path(self) -> Path:
        return self.database or locations.default_db()

    @property
    def preview_dir(self) -> Path:
        return self.preview or locations.preview_dir()


def demo_config(database: Path | None = None, preview: Path | None = None, cases: Path | None = None) -> Config:
    """The embedded demo: sample cases (or ``cases``), demo database, preview printer, PIN DEMO_PIN."""
    return Config(
        event="Demo", kiosk_id="demo", cases=cases or locations.sample_cases_dir(),
        printers=locations.sample_printers_dir(),
        database=database or locations.demo_db(), preview=preview or locations.preview_dir(),
        pin_hash=DEMO_PIN_HASH, demo=True,
    )


_FIELDS = {
    "campaign": str, "event": str, "kiosk_id": str, "cases": str, "printer": str, "printers": str,
    "database": str, "preview": str, "idle_timeout": (int, float), "thanks_timeout": (int, float),
    "theme": str, "pin_hash": str,
}


def load_config(path: Path) -> Config:
    path = Path(path)
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such settings file (create one with: kiosk set-pin --config {where})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None

    def fail(field: str, problem: str):
        raise ConfigError(f"{where}: {field}: {problem}")

    for key, value in data.items():
        if key not in _FIELDS:
            fail(key, f"unknown setting (known: {', '.join(_FIELDS)})")
        if isinstance(value, bool) or not isinstance(value, _FIELDS[key]):
            fail(key, f"{value!r} should be {'a number' if key.endswith('timeout') else 'a string'}")

    def folder_path(key: str) -> Path | None:
        if key not in data:
            return None
        p = Path(data[key]).expanduser()
        return p if p.is_absolute() else (path.parent / p)

    values: dict = {"path": path}
    try:
        if "campaign" in data:
            values["campaign"] = clean(data["campaign"], multiline=False)
            if not values["campaign"] or len(values["campaign"]) > 60:
                fail("campaign", "must be 1 to 60 characters")
        if "event" in data:
            values["event"] = validate_event(data["event"])
        if "kiosk_id" in data:
            values["kiosk_id"] = validate_kiosk_id(data["kiosk_id"])
    except TextError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    for key in ("cases", "printers", "database", "preview"):
        values[key] = folder_path(key)
    if "printer" in data:
        values["printer"] = data["printer"].strip() or None
    for key in ("idle_timeout", "thanks_timeout"):
        if key in data:
            if not 5 <= data[key] <= 3600:
                fail(key, f"{data[key]} seconds; use 5 to 3600")
            values[key] = float(data[key])
    if "theme" in data:
        values["theme"] = data["theme"]
    if "pin_hash" in data:
        try:
            values["pin_hash"] = check_hash(data["pin_hash"])
        except PinError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return Config(**values)


def set_pin(path: Path, pin: str) -> bool:
    """Store the salted hash of ``pin`` in the settings file, keeping its comments.

    Creates the file from TEMPLATE when it does not exist; returns True if it did."""
    import tomlkit  # keeps comments when it rewrites the file; only set-pin needs it

    path = Path(path)
    created = not path.exists()
    try:
        text = TEMPLATE.format(path=path) if created else path.read_text(encoding="utf-8")
        doc = tomlkit.parse(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    doc["pin_hash"] = hash_pin(pin)
    try:
        private_dir(path.parent)
        tmp = path.with_name(path.name + ".tmp")
        with open_private(tmp, encoding="utf-8") as f:
            f.write(tomlkit.dumps(doc))
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return created
