"""Every stall setting, once: its type, default, meaning, flag and environment variable.

A setting is a field of :class:`Settings` made with :func:`setting`; its :class:`Spec` holds
what the rest of the kiosk needs to know about it (the command line's options, the
settings file's template, the docs' table and the checks are all made from here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .. import locations
from ..errors import KioskError
from ..i18n import LANGUAGES, check_language
from ..pin import check_hash
from ..text import clean, validate_event, validate_kiosk_id

DEFAULT_CAMPAIGN = "Letters for Freedom"
DEMO_PIN = "2468"
# The demo PIN's hash, worked out once (hashing takes ~40 ms, by design): the demo starts
# without it. The PIN is public; tests/test_pin.py checks that the two agree.
DEMO_PIN_HASH = "scrypt$16384$8$1$a2lvc2stZGVtby1zYWx0IQ==$RGxFuk6N1Y0EysGfGuQBEggIRy4AgmTDFFGj4Va0yQo="

# The demo's signer key: public, like its PIN (a demo's letters are nobody's).
DEMO_SIGNER_KEY = "kiosk-demo-signer-key (public)"

Kind = Literal["text", "number", "flag", "folder", "file"]


class Problem(ValueError):
    """A value a setting cannot take; :func:`~kiosk.settings.resolve` says where it came from."""


@dataclass(frozen=True)
class Spec:
    """What the kiosk knows about one setting."""

    doc: str                               # its meaning, for the docs, the template and --help
    kind: Kind                             # how a value is read from a file, a variable or a flag
    check: Callable[[Any], Any] | None     # cleans and checks a value of the right kind; raises Problem
    flag: str | None = None                # the command-line flag, where the commands offer one
    env: str | None = None                 # the environment variable
    default_doc: str | None = None         # how the default reads, when it is worked out
    template: str | None = None            # its line in a new settings file ("# " in front: commented out)
    section: str | None = None             # the table it is written in, in the settings file (`[sync] url`)
    secret: bool = False                   # never shown: not in repr(), not printed (a status says only "set")

    def key(self, name: str) -> str:
        """How setting ``name`` is written in the settings file: ``sync.url`` for ``sync_url`` in ``[sync]``."""
        return f"{self.section}.{name.removeprefix(self.section + '_')}" if self.section else name


def setting(default: Any = None, *, factory: Callable[[], Any] | None = None, **spec: Any) -> Any:
    """A field of Settings that is a setting (see :class:`Spec` for ``spec``)."""
    made = Spec(**spec)
    meta = {"setting": made}
    shown = not made.secret
    if factory is not None:
        return field(default_factory=factory, metadata=meta, repr=shown)
    return field(default=default, metadata=meta, repr=shown)


def default_kiosk_id() -> str:
    """This machine's host name as a kiosk id: each laptop numbers its own letters."""
    import socket  # only when no kiosk id is set

    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname().split(".")[0])[:32].strip("-._")
    return host or "kiosk"


def _checked(rule: Callable[[str], str]) -> Callable[[str], str]:
    """A text rule from :mod:`kiosk.text` as a setting's check (space around the value dropped)."""

    def check(value: str) -> str:
        try:
            return rule(value.strip())
        except KioskError as exc:
            raise Problem(exc.problem) from None

    return check


def _campaign(value: str) -> str:
    cleaned = clean(value, multiline=False)
    if not cleaned or len(cleaned) > 60:
        raise Problem("must be 1 to 60 characters")
    return cleaned


def _seconds(value: float) -> float:
    if not 5 <= value <= 3600:
        raise Problem(f"{value:g} seconds; use 5 to 3600")
    return float(value)


def _sync_interval(value: float) -> float:
    if not 5 <= value <= 86400:
        raise Problem(f"{value:g} seconds; use 5 to 86400")
    return float(value)


def _sync_url(value: str) -> str | None:
    """The office's address: https, or plain http only to this machine or a private network
    (the token and visitors' data would otherwise cross the internet readable by anyone)."""
    import ipaddress
    from urllib.parse import urlsplit

    value = value.strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port
    except ValueError as exc:
        raise Problem(f"not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Problem(f"{value[:80]!r} is not an http(s) address like https://hq.example.org")
    if parts.username is not None or parts.password is not None:
        raise Problem("must not hold a user name or password (the token is set apart: sync.token)")
    if parts.query or parts.fragment:
        raise Problem("must not have a ?query or #fragment")
    if parts.scheme == "http":
        try:
            local = ipaddress.ip_address(host).is_private
        except ValueError:
            local = host == "localhost"
        if not local:
            raise Problem(f"plain http to {host} would send the token and visitors' data unencrypted; use https"
                          " (plain http is allowed only to localhost and private addresses such as 192.168.x.x)")
    return value.rstrip("/")


def _sync_token(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 512 or not all("!" <= ch <= "~" for ch in value):
        raise Problem("must be 1 to 512 printable ASCII characters without spaces (as `kiosk hq` gave it)")
    return value


def _signer_key(value: str) -> str | None:
    from ..signers import check_key

    if not value:
        return None
    try:
        return check_key(value)
    except ValueError as exc:
        raise Problem(str(exc)) from None


def _print_burst(value: float) -> int:
    if value != int(value) or not 1 <= value <= 1000:
        raise Problem(f"{value:g} letters; use a whole number from 1 to 1000")
    return int(value)


def _print_rate(value: float) -> float:
    if not 1 <= value <= 100000:
        raise Problem(f"{value:g} letters an hour; use 1 to 100000")
    return float(value)


PERSONAL_DATA = ("none", "consented", "all")


def _personal_data(value: str) -> str:
    value = value.strip()
    if value not in PERSONAL_DATA:
        raise Problem(f"{value[:40]!r} is not one of {', '.join(PERSONAL_DATA)}")
    return value


POSTCARDS = ("take-home", "collect")


def _postcards(value: str) -> str:
    value = value.strip()
    if value not in POSTCARDS:
        raise Problem(f"{value[:40]!r} is not one of {', '.join(POSTCARDS)}")
    return value


def _printer(value: str) -> str | None:
    return value.strip() or None


def _language(value: str) -> str:
    try:
        return check_language(value.strip())
    except ValueError as exc:
        raise Problem(str(exc)) from None


def _theme(value: str) -> str:
    if not value.strip():
        raise Problem("must not be empty")
    return value.strip()


@dataclass(frozen=True)
class Settings:
    """A stall's settings, resolved: every value is final, and :meth:`origin` says where it came from."""

    campaign: str = setting(
        DEFAULT_CAMPAIGN, kind="text", check=_campaign, flag="--campaign", env="KIOSK_CAMPAIGN",
        doc="Printed at the top of every postcard and shown on the home screen (1-60 characters). The appeal "
            "carries only the letter.",
        template=f'campaign = "{DEFAULT_CAMPAIGN}"')
    event: str = setting(
        "Kiosk", kind="text", check=_checked(validate_event), flag="--event", env="KIOSK_EVENT",
        doc="The event's name: on receipts, and the grouping for counts (1-60 characters).",
        template='event = "My event"')
    kiosk_id: str = setting(
        factory=default_kiosk_id, kind="text", check=_checked(validate_kiosk_id), flag="--kiosk-id", env="KIOSK_ID",
        default_doc="the host name",
        doc="This laptop's id: letters, digits, `.`, `_`, `-`, up to 32. Receipts are numbered per kiosk id, and "
            "the home screen counts this kiosk's letters: give each laptop its own.",
        template='# kiosk_id = "stall-1"')
    cases: Path = setting(
        factory=locations.cases_dir, kind="folder", check=None, flag="--cases", env="KIOSK_CASES",
        default_doc="`./cases`, else the samples",
        doc="Folder of case files ([cases.md](cases.md)). Bad files are skipped with a warning.",
        template='# cases = "cases"')
    allow_sample_cases: bool = setting(
        False, kind="flag", check=None, flag="--allow-sample-cases", env="KIOSK_ALLOW_SAMPLE_CASES",
        doc="Offer cases marked `sample = true` (the shipped examples, about people who do not exist). "
            "Off at a real stall, so that no letter goes to a made-up address; `kiosk demo` offers them.",
        template="# allow_sample_cases = false")
    printer: str | None = setting(
        None, kind="text", check=_printer, flag="--printer", env="KIOSK_PRINTER", default_doc="the preview printer",
        doc="A set-up name from the printers folder, or a quick spec: `tcp://HOST:9100`, `usb:VID:PID`, "
            "`serial:/dev/ttyUSB0`, `file:/dev/usb/lp0`, `cups:QUEUE`, `preview:DIR` "
            "([printers/README.md](../printers/README.md)).",
        template='# printer = "epson-tm-t20-usb"')
    printers: Path = setting(
        factory=locations.printers_dir, kind="folder", check=None, flag="--printers", env="KIOSK_PRINTERS",
        default_doc="`./printers`, else the examples", doc="Folder of printer set-ups.",
        template='# printers = "printers"')
    database: Path = setting(
        factory=locations.default_db, kind="file", check=None, flag="--db", env="KIOSK_DB",
        default_doc="`kiosk.db` in the user data folder", doc="The SQLite file every signature is committed to.",
        template='# database = "kiosk.db"')
    preview: Path = setting(
        factory=locations.preview_dir, kind="folder", check=None, flag="--preview", env="KIOSK_PREVIEW",
        default_doc="`preview/` in the user data folder",
        doc="Where the preview printer writes each receipt (PNG and text), when no `printer` is set.",
        template='# preview = "receipts"')
    idle_timeout: float = setting(
        60.0, kind="number", check=_seconds, env="KIOSK_IDLE_TIMEOUT",
        doc="Seconds without a key or touch before any screen returns home, clearing every field (5-3600); its "
            "last 10 seconds ask \"Still there?\" with a countdown that any key or touch cancels. The organiser "
            "screen locks after the same time.",
        template="idle_timeout = 60")
    thanks_timeout: float = setting(
        15.0, kind="number", check=_seconds, env="KIOSK_THANKS_TIMEOUT",
        doc="Seconds the thank-you screen, and the question whether we may contact a visitor, stay up untouched "
            "(5-3600).", template="thanks_timeout = 15")
    postcards: str = setting(
        "take-home", kind="text", check=_postcards, env="KIOSK_POSTCARDS",
        doc="What visitors do with their postcard: `take-home` (they take it with them) or `collect` (they put "
            "it in the stall's box, and the cards are sent together, the Write for Rights way). The screens say "
            "which.",
        template='# postcards = "take-home"')
    ask_place: bool = setting(
        False, kind="flag", check=None, env="KIOSK_ASK_PLACE",
        doc="Ask visitors signing an appeal for their town or country (optional, up to 60 characters), printed "
            "under their signature: officials note where letters come from. Kept with the letter and removed "
            "with the name by a purge; never sent to the office.",
        template="# ask_place = false")
    language: str = setting(
        "en", kind="text", check=_language, flag="--lang", env="KIOSK_LANGUAGE",
        doc="The stall's language: the screens a visitor first sees and the idle reset returns to, the organiser "
            "screen, the tally slip and reports. Visitors may pick another on the home screen: "
            f"{', '.join(LANGUAGES)} ([languages.md](languages.md)).",
        template='language = "en"')
    bidi: bool = setting(
        True, kind="flag", check=None, env="KIOSK_BIDI",
        doc="Show right-to-left text (Arabic) in the order a terminal must draw it, its letters joined. Turn it "
            "off only for a terminal that does this itself (it would be turned round twice).",
        template="# bidi = true")
    theme: str = setting(
        "kiosk-dark", kind="text", check=_theme, env="KIOSK_THEME",
        doc="`kiosk-dark`, `kiosk-light`, `kiosk-high-contrast`, or any built-in Textual theme (`textual-dark`, "
            "`nord`, ...).",
        template='theme = "kiosk-dark"')
    sync_url: str | None = setting(
        None, kind="text", check=_sync_url, env="KIOSK_SYNC_URL", section="sync", default_doc="none: no sync",
        doc="In the settings file `url` in a `[sync]` table: the national office's service this kiosk sends its "
            "letters to and fetches cases from (`https://...`; plain `http://` only to localhost or a private "
            "address). Without it the kiosk never syncs ([sync.md](sync.md)).",
        template='# [sync]\n# url = "https://hq.example.org"')
    sync_token: str | None = setting(
        None, kind="text", check=_sync_token, env="KIOSK_SYNC_TOKEN", section="sync", secret=True,
        default_doc="none",
        doc="`[sync] token`: the token the office issued to this kiosk. A secret: never shown; a "
            "settings file holding it must be readable by its owner only (`chmod 600`).",
        template='# token = "..."')
    sync_interval: float = setting(
        60.0, kind="number", check=_sync_interval, env="KIOSK_SYNC_INTERVAL", section="sync",
        doc="`[sync] interval`: seconds between syncs while the kiosk runs (5-86400); after a failure it waits "
            "longer (up to 15 minutes) and tries again.",
        template="# interval = 60")
    sync_personal_data: str = setting(
        "consented", kind="text", check=_personal_data, env="KIOSK_SYNC_PERSONAL_DATA", section="sync",
        doc="`[sync] personal_data`: which visitors' names, messages and email addresses leave the laptop: "
            "`none`; `consented` (only of visitors who said yes to being contacted); `all`. Counts (case, kind, "
            "time, language ...) always do.",
        template='# personal_data = "consented"')
    signer_key: str | None = setting(
        None, kind="text", check=_signer_key, env="KIOSK_SIGNER_KEY", secret=True, default_doc="none",
        doc="The campaign's secret for finding likely duplicates (the same person signing a case twice) without "
            "keeping names: the same on every kiosk of the campaign, 16 to 256 characters (`kiosk signer-key new` "
            "makes one). A secret: never shown; a settings file holding it must be readable by its owner only. "
            "Without it letters are not checked for duplicates ([duplicates.md](duplicates.md)).",
        template='# signer_key = "..."')
    print_burst: int = setting(
        10, kind="number", check=_print_burst, env="KIOSK_PRINT_BURST",
        doc="The print limit: letters that may print one after another without a pause (1-1000). A letter "
            "over the limit is recorded and waits for a volunteer to print it ([moderation.md](moderation.md)).",
        template="# print_burst = 10")
    print_rate: float = setting(
        120.0, kind="number", check=_print_rate, env="KIOSK_PRINT_RATE",
        doc="The print limit's sustained rate: letters an hour that print without a volunteer (1-100000).",
        template="# print_rate = 120")
    pin_hash: str | None = setting(
        None, kind="text", check=_checked(check_hash), default_doc="none",
        doc="Written by `kiosk set-pin`: a salted scrypt hash, never the PIN. The kiosk does not start without it.",
        template=None)

    # Not settings: how these settings came to be.
    path: Path | None = field(default=None, compare=False)     # the settings file read, if any
    demo: bool = field(default=False, compare=False)           # `kiosk demo`
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def origin(self, name: str) -> str | None:
        """Where setting ``name`` came from: a flag (``--printer``), a variable (``KIOSK_PRINTER``),
        the settings file's path, or None for its default."""
        return self.origins.get(name)

    def locate(self, exc: KioskError, name: str) -> KioskError:
        """``exc`` about setting ``name``, naming where its value came from."""
        origin = self.origin(name)
        if exc.source is not None:  # it names its own source already (a printer set-up file ...)
            return exc
        if origin is None:
            return exc.at(None, name)
        if self.path is not None and origin == str(self.path):
            return exc.at(origin, name)
        return exc.at(origin)


def specs() -> dict[str, Spec]:
    """Every setting's spec, in the order of the schema."""
    return {f.name: f.metadata["setting"] for f in fields(Settings) if "setting" in f.metadata}
