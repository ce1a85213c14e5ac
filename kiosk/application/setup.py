"""What the first-run assistant (``kiosk setup``) and ``kiosk printer detect`` ask of the kiosk.

The assistant finds printers, lets the volunteer choose one (or type a network address, or
take the preview printer), prints a test receipt on it, adjusts paper width, capability
profile, baud rate and status requests until the receipt comes out right, takes the PIN, the
event, the kiosk id and the cases folder, and writes the settings file. :class:`Assistant` is
each of those steps, on the settings of the file it sets up; every value is checked by the
settings schema's own checks, and the file is written only when it loads as ``kiosk run``
reads it (:func:`kiosk.settings.files.write_settings`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..errors import InputError, KioskError, SettingError
from ..settings import Settings, default_kiosk_id, resolve, specs
from ..settings.schema import Problem

if TYPE_CHECKING:
    from ..printing.detect import Detection, Found
    from ..printing.setups import Setup

PAPERS = (58, 80)
BAUDS = (9600, 19200, 38400, 57600, 115200)
DEFAULT_BAUD = 9600
# The profile offered first for each paper width: the common 80 mm Epson-type printer, and
# the cheap 58 mm kind (printers/generic-58mm-usb.toml).
PROFILE_FOR_PAPER = {58: "POS-5890", 80: "TM-T20II"}
NETWORK_PORT = 9100
STATUS_KINDS = ("network", "serial", "usb")  # printers that can answer status requests (DLE EOT)


def detect_printers() -> Detection:
    """``kiosk printer detect``: every printer found on this laptop, and what could not be looked at."""
    from ..printing.detect import detect

    return detect()


def detected_record(found: Found) -> dict[str, object]:
    """A printer found, as ``kiosk printer detect --format json`` writes it."""
    from ..printing.detect import as_record

    return as_record(found)


@dataclass(frozen=True)
class PrinterChoice:
    """The printer as the volunteer chose it: where it is, and how to print on it."""

    base: str  # the spec without options: usb:04b8:0e15, tcp://10.0.0.5:9100, serial:/dev/ttyUSB0, preview:DIR
    kind: str  # usb, network, serial, file, cups, preview
    paper: int = 80
    profile: str = PROFILE_FOR_PAPER[80]
    baud: int | None = None  # a serial printer's rate (None: the kiosk's default, 9600)
    status: bool | None = None  # ask for paper status and confirmation (None: the kiosk's default for the kind)

    @property
    def spec(self) -> str:
        """The printer setting: the spec with its options (``tcp://HOST:9100?paper=58&profile=POS-5890``)."""
        options: dict[str, object] = {"paper": self.paper, "profile": self.profile}
        if self.kind == "serial" and self.baud is not None:
            options["baud"] = self.baud
        if self.status is not None and self.status != (self.kind == "network"):
            options["status"] = int(self.status)
        return f"{self.base}?{urlencode(options)}"

    @property
    def can_answer(self) -> bool:
        """Whether this kind of printer can be asked for its status."""
        return self.kind in STATUS_KINDS

    @property
    def asks_status(self) -> bool:
        return self.status if self.status is not None else self.kind == "network"

    def with_paper(self, paper: int) -> PrinterChoice:
        """Another paper width, and the profile that goes with it when the profile was the other width's."""
        profile = PROFILE_FOR_PAPER[paper] if self.profile in PROFILE_FOR_PAPER.values() else self.profile
        return dataclasses.replace(self, paper=paper, profile=profile)

    def changed(self, *, paper: int | None = None, profile: str | None = None, baud: int | None = None,
                status: bool | None = None) -> PrinterChoice:
        """This choice with some of its options changed, each checked."""
        choice = self
        if paper is not None:
            if paper not in PAPERS:
                raise InputError(f"{paper} mm: use {' or '.join(map(str, PAPERS))}", field="paper")
            choice = dataclasses.replace(choice, paper=paper)
        if profile is not None:
            if profile not in profiles():
                raise InputError(f"unknown profile {profile!r}", field="profile")
            choice = dataclasses.replace(choice, profile=profile)
        if baud is not None:
            if baud not in BAUDS:
                raise InputError(f"{baud} baud: use one of {', '.join(map(str, BAUDS))}", field="baud")
            choice = dataclasses.replace(choice, baud=baud)
        if status is not None and choice.can_answer:
            choice = dataclasses.replace(choice, status=status)
        return choice

    def describe(self) -> str:
        """The printer as the kiosk will use it: where, profile, paper (as ``kiosk printer test`` says it)."""
        return check_spec(self.spec).describe()

    def facts(self) -> Facts:
        """The printer as the kiosk will use it, for a screen to put in words; SetupError when the spec is bad."""
        setup = check_spec(self.spec)
        paper = setup.paper
        return Facts(self.base, setup.profile, paper.mm, paper.columns,
                     setup.options.get("baudrate") if setup.type == "serial" else None, setup.status)


@dataclass(frozen=True)
class Facts:
    where: str  # the spec without options
    profile: str
    mm: int
    columns: int
    baud: int | None
    status: bool


def profiles() -> list[str]:
    """The capability profiles a printer can be given (``kiosk printer profiles``)."""
    from ..printing.escpos_lib import profile_names

    return list(profile_names())


def check_spec(spec: str) -> Setup:
    """The set-up a spec makes, or SetupError: the kiosk reads the printer setting with the same code."""
    from ..printing.setups import parse_spec

    return parse_spec(spec)


def network_printer(address: str) -> PrinterChoice:
    """A printer from what the volunteer typed: a network printer's ``HOST``, ``HOST:PORT``,
    ``[IPv6]:PORT`` or ``tcp://`` spec, or another printer spec the kiosk takes (``serial:/dev/ttyUSB0``,
    ``usb:04b8:0e15``, ``file:/dev/usb/lp0``, ``cups:QUEUE``), options (``?paper=58``) kept;
    InputError (field ``address``) otherwise."""
    text = address.strip()
    scheme, sep, _ = text.partition(":")
    if sep and scheme in ("serial", "usb", "file", "cups"):
        return _typed_spec(text)
    query = ""
    if text.startswith("tcp://"):
        text, _, query = text.removeprefix("tcp://").partition("?")
        text = text.rstrip("/")
    if not text or any(ch.isspace() for ch in text) or any(ch in text for ch in "/?#@\\"):
        raise InputError("type a host name or address, and a port if it is not 9100 (192.168.1.50:9100)",
                         field="address", reason="empty" if not text else "invalid")
    if text.startswith("["):
        port = text.partition("]")[2].removeprefix(":") if "]:" in text else None
    elif text.count(":") > 1:  # an IPv6 address, without a port
        text, port = f"[{text}]", None
    else:
        port = text.partition(":")[2] if ":" in text else None
    if port is None:
        text = f"{text}:{NETWORK_PORT}"
    elif not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError(f"the port {port[:20]!r} is not a number from 1 to 65535", field="address")
    return _typed_spec(f"tcp://{text}" + (f"?{query}" if query else ""))


def _typed_spec(text: str) -> PrinterChoice:
    """A printer spec as typed, its options (paper, profile, baud, status) taken into the choice."""
    try:
        setup = check_spec(text)
    except KioskError as exc:
        raise InputError(exc.problem, field="address") from None
    base = text.partition("?")[0]
    kind = _kind(base)
    if kind == "network":
        host, port = setup.options["host"], setup.options["port"]
        base = f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"
    paper = setup.paper_mm or (58 if setup.paper.dots <= 384 else 80)
    status = setup.status if "status=" in text.partition("?")[2] else None
    baud = int(setup.options.get("baudrate", DEFAULT_BAUD)) if kind == "serial" else None
    return PrinterChoice(base, kind, paper=paper, profile=setup.profile, baud=baud, status=status)


def _kind(spec: str) -> str:
    return {"tcp": "network"}.get(spec.partition(":")[0], spec.partition(":")[0])


def found_printer(found: Found) -> PrinterChoice:
    """A printer the detection found, as a choice (80 mm and the common profile, until the test says otherwise)."""
    check_spec(found.spec)
    kind = _kind(found.spec)
    return PrinterChoice(found.spec, kind, baud=DEFAULT_BAUD if kind == "serial" else None)


@dataclass(frozen=True)
class Cases:
    """What a cases folder offers a stall."""

    folder: Path
    usable: int  # cases a visitor can be offered (samples only where allowed)
    samples: int  # sample cases in it (about people who do not exist)
    skipped: int  # files with problems (`kiosk cases check` says which)
    exists: bool = True


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool
    overridden: tuple[str, ...]  # KIOSK_* variables set here that win over what was written

    @property
    def command(self) -> str:
        return f"kiosk run --config {self.path}"


class Assistant:
    """The assistant's steps, on the settings file ``path`` and the settings read with it."""

    PAPERS = PAPERS
    BAUDS = BAUDS
    network = staticmethod(network_printer)
    found = staticmethod(found_printer)
    profiles = staticmethod(profiles)

    def __init__(self, path: Path, settings: Settings, *, language: str | None = None) -> None:
        self.path = Path(path)
        self.settings = settings
        self.language = language  # given for this set-up: written to the file too
        self.existing = self.path.exists()

    # -- what the file has already ------------------------------------------------------

    def _from_file(self, name: str) -> bool:
        return self.settings.path is not None and self.settings.origin(name) == str(self.settings.path)

    @property
    def event(self) -> str:
        return self.settings.event if self._from_file("event") else ""

    @property
    def kiosk_id(self) -> str:
        return self.settings.kiosk_id if self._from_file("kiosk_id") else default_kiosk_id()

    @property
    def has_pin(self) -> bool:
        return bool(self.settings.pin_hash) and self._from_file("pin_hash")

    @property
    def cases_folder(self) -> Path:
        return self.settings.cases.absolute()

    @property
    def allow_sample_cases(self) -> bool:
        return self.settings.allow_sample_cases

    # -- the printer ------------------------------------------------------------------------

    def detect(self) -> Detection:
        return detect_printers()

    def preview(self) -> PrinterChoice:
        """The preview printer: each receipt as a PNG and text in the settings' preview folder."""
        return PrinterChoice(f"preview:{self.settings.preview.absolute()}", "preview")

    def test_print(self, choice: PrinterChoice) -> Path | None:
        """*Any thread.* Print the test receipt on ``choice``, as the kiosk would print (the
        station's own test print, in the stall's language); the preview file, if any. Raises
        PrintError or SetupError."""
        from .station import open_station

        settings = dataclasses.replace(self.settings, printer=choice.spec,
                                       language=self.language or self.settings.language)
        station = open_station(settings)
        try:
            return station.test_print()
        finally:
            station.close()

    # -- the stall ------------------------------------------------------------------------------

    @staticmethod
    def check(name: str, value: str) -> str:
        """``value`` for setting ``name`` as the settings schema checks it; SettingError naming the setting."""
        spec = specs()[name]
        assert spec.check is not None, name
        try:
            checked: str = spec.check(value)
        except Problem as exc:
            raise SettingError(str(exc), field=name) from None
        return checked

    @staticmethod
    def check_pin(pin: str, again: str) -> str:
        """The PIN, when it is a valid one typed twice the same; PinError or InputError (field ``again``)."""
        from ..pin import validate_pin

        validate_pin(pin)
        if again != pin:
            raise InputError("the two entries do not match", field="again")
        return pin

    def cases(self, folder: str | Path, *, allow_samples: bool) -> Cases:
        """What ``folder`` (relative to where the command runs) offers the stall."""
        from .folders import read_cases

        path = Path(str(folder).strip() or ".").expanduser().absolute()
        if not path.is_dir():
            return Cases(path, 0, 0, 0, exists=False)
        found = read_cases(path)
        samples = sum(1 for case in found.cases.values() if case.sample)
        usable = len(found.cases) - (0 if allow_samples else samples)
        return Cases(path, usable, samples, len(found.errors))

    def overridden(self, names: list[str]) -> tuple[str, ...]:
        """The KIOSK_* variables set now that would win over these settings in the file."""
        schema = specs()
        return tuple(env for name in names if (env := schema[name].env) and os.environ.get(env, "").strip())

    def write(self, choice: PrinterChoice, *, pin: str | None, event: str, kiosk_id: str, cases: Path,
              allow_samples: bool) -> Written:
        """Write the settings file: the printer, PIN (its hash; None keeps the file's), event,
        kiosk id, cases folder and whether samples are offered, keeping the file's other lines.
        SettingError naming the file and setting when a value or the file would not load."""
        from ..pin import hash_pin
        from ..settings.files import write_settings

        check_spec(choice.spec)
        values: dict[str, str | bool] = {
            "printer": self.check("printer", choice.spec) or choice.spec,
            "event": self.check("event", event),
            "kiosk_id": self.check("kiosk_id", kiosk_id),
            "cases": str(Path(cases).absolute()),
            "allow_sample_cases": allow_samples,
        }
        if self.language:
            values["language"] = self.check("language", self.language)
        if pin is not None:
            values["pin_hash"] = hash_pin(pin)
        elif not self.has_pin:
            raise SettingError("no organiser PIN: set one", field="pin_hash", source=str(self.path))
        created = write_settings(self.path, values)
        return Written(self.path, created, self.overridden(list(values)))


def open_assistant(path: Path, flags: dict[str, str] | None = None) -> Assistant:
    """The assistant for the settings file ``path``: its settings read as ``kiosk run`` reads them
    (a file that exists must load: SettingError naming it otherwise); ``flags``: ``language``."""
    flags = flags or {}
    path = Path(path).expanduser()
    if path.exists() or path.is_symlink():
        settings = resolve(flags, config=path)
    else:
        settings = resolve(flags, use_file=False)
    return Assistant(path, settings, language=flags.get("language"))
