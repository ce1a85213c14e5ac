"""Printer set-ups: how to reach a printer, its capability profile and its paper.

A set-up is a TOML file in ``printers/`` (see ``printers/README.md``) or a quick spec in
the ``printer`` setting: ``file:PATH``, ``tcp://HOST:PORT``, ``preview:DIR``, ``usb:VID:PID``,
``serial:DEVICE``, ``cups:QUEUE``. Quick specs take ``?profile=NAME&paper=58&timeout=5``.

A problem in a set-up file is a :class:`~kiosk.errors.SetupError` naming the file and the
field; a problem in a quick spec names no source, and the caller, who knows where the spec
came from (a settings file, ``KIOSK_PRINTER``, ``--printer``), names it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import SetupError
from ..files import KB, UnreadableFile, read_regular
from ..receipts.model import Paper
from .escpos_lib import is_profile, media, profile_data, profile_names

SETUP_FILE_MAX = 64 * KB  # a set-up is a dozen lines
CONNECTION_TYPES = ("usb", "network", "serial", "file", "cups", "preview")
DEFAULT_PROFILE = "TM-T20II"
# Paper width in mm -> (dots, columns of font A) when the profile does not say.
PAPER = {58: (384, 32), 80: (576, 48)}


@dataclass(frozen=True)
class Setup:
    name: str
    type: str
    profile: str = DEFAULT_PROFILE
    paper_mm: int | None = None
    dots: int | None = None
    columns: int | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False)
    status: bool = False  # ask the printer for paper status before, and confirmation after, a job
    timeout: float = 10.0
    file: str | None = None  # the set-up file it was read from; None for a quick spec (then ``name`` is the spec)

    @property
    def is_preview(self) -> bool:
        return self.type == "preview"

    @property
    def paper(self) -> Paper:
        return resolve_paper(self.profile, self.paper_mm, self.dots, self.columns)

    @property
    def native_qr(self) -> bool:
        return bool(profile_data(self.profile)["features"].get("qrCode"))

    @property
    def cutter(self) -> str | None:
        features = profile_data(self.profile)["features"]
        if features.get("paperPartCut"):
            return "PART"
        if features.get("paperFullCut"):
            return "FULL"
        return None

    @property
    def where(self) -> str:
        """Where the printer is, in a few words: ``tcp://10.0.0.5:9100``."""
        o = self.options
        return {
            "usb": lambda: f"USB {o.get('vendor_id', 0):04x}:{o.get('product_id', 0):04x}",
            "network": lambda: f"tcp://{o.get('host')}:{o.get('port')}",
            "serial": lambda: f"serial {o.get('device')} at {o.get('baudrate')} baud",
            "file": lambda: f"file {o.get('path')}",
            "cups": lambda: f"CUPS queue {o.get('queue')}",
            "preview": lambda: f"preview folder {o.get('dir')}",
        }[self.type]()

    def describe(self) -> str:
        paper = self.paper
        return (f"{self.name}: {self.where}, profile {self.profile},"
                f" {paper.mm} mm ({paper.dots} dots, {paper.columns} columns)")


def resolve_paper(profile: str, paper_mm: int | None, dots: int | None, columns: int | None) -> Paper:
    pixels, font_a = media(profile)
    if isinstance(pixels, int) and (paper_mm is None or (pixels <= 384) == (paper_mm <= 58)):
        base = (pixels, font_a or PAPER[58 if pixels <= 384 else 80][1])
    else:
        base = PAPER[paper_mm or 80]
    return Paper(dots=dots or base[0], columns=columns or base[1])


def _check_profile(name: str, where: str | None) -> str:
    if not is_profile(name):
        raise SetupError(f"unknown profile {name!r} (known: {', '.join(profile_names())})", field="profile",
                         source=where)
    return name


def _number(value: Any, where: str | None, field_name: str, *, lo: float, hi: float, integer: bool = True) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise SetupError(f"must be a {'whole ' if integer else ''}number, not {value!r}", field=field_name,
                         source=where)
    if not lo <= value <= hi:
        raise SetupError(f"{value} is outside {lo}..{hi}", field=field_name, source=where)
    return value


_CONNECTION_FIELDS = {
    "usb": {"vendor_id": True, "product_id": True, "interface": False, "in_ep": False, "out_ep": False},
    "network": {"host": True, "port": False},
    "serial": {"device": True, "baudrate": False},
    "file": {"path": True},
    "cups": {"queue": True},
    "preview": {"dir": True},
}


def _build(name: str, where: str | None, data: dict[str, Any], connection: dict[str, Any]) -> Setup:
    """A set-up from its fields; ``where`` is the file they came from (None for a quick spec)."""

    def fail(field_name: str, problem: str) -> SetupError:
        return SetupError(problem, field=field_name, source=where)

    for key in data:
        if key not in ("name", "profile", "paper", "dots", "columns", "status", "timeout", "connection"):
            raise fail(key, "unknown field")
    kind = connection.get("type")
    if kind not in CONNECTION_TYPES:
        raise fail("connection.type", f"must be one of {', '.join(CONNECTION_TYPES)}, not {kind!r}")
    options = {}
    for key, required in _CONNECTION_FIELDS[kind].items():
        if key in connection:
            options[key] = connection[key]
        elif required:
            raise fail(f"connection.{key}", f"missing (needed for a {kind} printer)")
    for key in connection:
        if key != "type" and key not in _CONNECTION_FIELDS[kind]:
            raise fail(f"connection.{key}", f"unknown field for a {kind} printer")
    if kind == "usb":
        for key in ("vendor_id", "product_id"):
            _number(options[key], where, f"connection.{key}", lo=0, hi=0xFFFF)
    if kind == "network":
        options["port"] = _number(options.get("port", 9100), where, "connection.port", lo=1, hi=65535)
        if not isinstance(options["host"], str) or not options["host"]:
            raise fail("connection.host", "must be a host name or address")
    if kind == "serial":
        options["baudrate"] = _number(options.get("baudrate", 9600), where, "connection.baudrate", lo=300, hi=921600)
    for key in ("path", "dir", "device", "queue"):
        if key in options and not isinstance(options[key], str):
            raise fail(f"connection.{key}", "must be text")
        if key in options and not options[key].strip():
            raise fail(f"connection.{key}", "must not be empty")
    for key in ("path", "dir"):
        if key in options:
            options[key] = str(Path(options[key]).expanduser())

    profile = _check_profile(str(data.get("profile", DEFAULT_PROFILE)), where)
    paper = data.get("paper")
    if paper is not None and paper not in PAPER:
        raise fail("paper", f"must be 58 or 80 (mm), not {paper!r}")
    dots = data.get("dots")
    if dots is not None:
        _number(dots, where, "dots", lo=128, hi=832)
        if dots % 8:
            raise fail("dots", f"{dots} is not a multiple of 8")
    columns = data.get("columns")
    if columns is not None:
        _number(columns, where, "columns", lo=16, hi=80)
    status = data.get("status", kind == "network")
    if not isinstance(status, bool):
        raise fail("status", "must be true or false")
    timeout = float(_number(data.get("timeout", 10), where, "timeout", lo=0.1, hi=600, integer=False))
    return Setup(
        name=str(data.get("name", name)),
        type=kind,
        profile=profile,
        paper_mm=paper,
        dots=dots,
        columns=columns,
        options=options,
        status=status,
        timeout=timeout,
        file=where,
    )


def load_setup(path: Path) -> Setup:
    path = Path(path)
    try:
        data = tomllib.loads(read_regular(path, SETUP_FILE_MAX).decode("utf-8"))
    except UnreadableFile as exc:
        raise SetupError(str(exc), source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise SetupError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SetupError(f"TOML syntax error: {exc}", source=str(path)) from None
    connection = data.get("connection")
    if not isinstance(connection, dict):
        raise SetupError("missing table [connection]", field="connection", source=str(path))
    return _build(path.stem, str(path), data, connection)


def preview_setup(directory: Path | str, paper: int = 80) -> Setup:
    return Setup(name="preview", type="preview", profile=DEFAULT_PROFILE, paper_mm=paper,
                 options={"dir": str(directory)})


def parse_spec(spec: str, printers_dir: Path | None = None) -> Setup:
    """A set-up from its name in ``printers_dir`` or from a quick spec. A problem with the
    spec itself is a SetupError without a source: the caller knows where the spec came from."""
    spec = spec.strip()
    if not spec:
        raise SetupError("empty printer spec")
    scheme, sep, rest = spec.partition(":")
    if sep and scheme in ("file", "preview", "usb", "serial", "cups", "tcp"):
        body, _, query = rest.partition("?")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        data: dict[str, Any] = {"name": spec}

        def number(key: str, kind: type[int] | type[float], text: str, base: int = 10) -> Any:
            try:
                return int(text, base) if kind is int else float(text)
            except ValueError:
                raise SetupError(f"{key} {text!r} is not a {'hexadecimal ' if base == 16 else ''}number") from None

        if "profile" in params:
            data["profile"] = params.pop("profile")
        if "paper" in params:
            data["paper"] = number("paper", int, params.pop("paper"))
        if "timeout" in params:
            data["timeout"] = number("timeout", float, params.pop("timeout"))
        if "status" in params:
            data["status"] = params.pop("status").lower() in ("1", "true", "yes", "on")
        needs = {"file": "a file or device (file:/dev/usb/lp0)", "preview": "a folder (preview:DIR)",
                 "serial": "a device (serial:/dev/ttyUSB0)", "cups": "a queue name (cups:QUEUE)"}
        if scheme in needs and not body.strip():
            raise SetupError(f"{spec!r} names no {needs[scheme]}")
        connection: dict[str, Any]
        if scheme == "tcp":
            try:
                parts = urlsplit(f"tcp:{body}")
                host, port = parts.hostname, parts.port
            except ValueError:
                host = port = None
            if not host:
                raise SetupError("expected tcp://HOST:PORT")
            connection = {"type": "network", "host": host, "port": port or 9100}
        elif scheme == "usb":
            vid, _, pid = body.partition(":")
            connection = {"type": "usb", "vendor_id": number("vendor id", int, vid, 16),
                          "product_id": number("product id", int, pid, 16)}
        elif scheme == "serial":
            connection = {"type": "serial", "device": body}
            if "baud" in params:
                connection["baudrate"] = number("baud", int, params.pop("baud"))
        elif scheme == "cups":
            connection = {"type": "cups", "queue": body}
        elif scheme == "file":
            connection = {"type": "file", "path": body}
        else:
            connection = {"type": "preview", "dir": body}
        if params:
            raise SetupError(f"unknown option {', '.join(params)} (known: profile, paper, timeout, status, baud)")
        return _build(spec, None, data, connection)
    if printers_dir is not None:
        candidate = Path(printers_dir) / f"{spec}.toml"
        if candidate.exists() or candidate.is_symlink():  # a FIFO or a dangling link: its own error
            return load_setup(candidate)
    if spec.endswith(".toml") and (Path(spec).exists() or Path(spec).is_symlink()):
        return load_setup(Path(spec))
    folder = Path(printers_dir) if printers_dir else None
    known = sorted(p.stem for p in folder.glob("*.toml")) if folder and folder.is_dir() else []
    if folder is not None and not folder.is_dir():
        hint = f"; the printers folder {folder} does not exist"
    else:
        hint = f"; set-ups in {folder}: {', '.join(known)}" if known else ""
    raise SetupError(
        f"unknown printer {spec!r} (use a set-up name, file:PATH, tcp://HOST:PORT, preview:DIR,"
        f" usb:VID:PID, serial:DEVICE or cups:QUEUE{hint})"
    )
