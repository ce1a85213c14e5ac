"""What every ``kiosk`` command shares: the group, its one place for errors, and its one way to write.

Exit codes (``kiosk sign --help`` and docs/kiosk.md say the same):

- 0: done (for ``sign``: recorded and printed);
- 1: bad input or an unusable file, one line on stderr (for ``sign``: nothing recorded);
- 2: wrong usage, one line on stderr;
- 3: recorded, not printed: the print job waits for ``kiosk jobs retry`` (no byte reached paper);
- 4: recorded, and part or all of it may be on paper, or how printing ended is unknown:
  look, then ``kiosk jobs`` / ``kiosk jobs retry --interrupted``;
- 141: standard output was closed by its reader (``kiosk export ... | head -1``) before
  everything was written, as if killed by SIGPIPE.

Once a command has changed something (recorded a letter, printed, merged, purged), a
failure to write its messages never changes its exit code into one that says it did not.

A :class:`~kiosk.errors.KioskError` raised anywhere below a command becomes its one line
here, ``Error: <source>: <field>: <problem>``. An error about a value the command was given
(``field`` ``case``, no source) is reported as coming from that option (``--case``).

Every line a command writes goes through :func:`echo` (and data through
:func:`standard_output`, the report through :func:`console`): text from a database, a case
file or a file name is made safe for a terminal there, by :func:`kiosk.text.for_terminal`.
No other module of the command line writes to the terminal (tests/test_architecture.py).
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from ..errors import KioskError
from ..text import for_terminal

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_FAILED = 1  # bad input; for `sign`: nothing recorded
EXIT_USAGE = 2
EXIT_NOT_PRINTED = 3  # recorded; the job waits, no byte reached paper
EXIT_MAYBE_PRINTED = 4  # recorded; may be on paper, or how printing ended is unknown
EXIT_BROKEN_PIPE = 141  # the reader of standard output went away (128 + SIGPIPE)
LOG_LIMIT = 1024 * 1024  # errors.log is started afresh (the old one kept as errors.log.1) past 1 MB
LINE_MAX = 10_000  # characters of one line on the terminal: a merged file's 1 MB name is cut, not scrolled

F = TypeVar("F", bound=Callable[..., Any])


# -- writing ----------------------------------------------------------------------------------


class _Output:
    """What happened to standard output while one command ran."""

    def __init__(self) -> None:
        self.lost: OSError | None = None  # the first write to stdout that failed
        self.keeps_code = False  # the command changed something: its exit code says what

    def reset(self) -> None:
        self.lost, self.keeps_code = None, False


_state = _Output()


def _silence(stream: IO[str] | None) -> None:
    """Point a stream that cannot be written (a closed pipe, a full disk) at /dev/null, so
    that later writes, and Python's own flush at exit, neither fail nor repeat the error."""
    with suppress(Exception):
        fd = stream.fileno()  # type: ignore[union-attr]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def _lose(err: bool, exc: OSError) -> None:
    if not err and _state.lost is None:
        _state.lost = exc
    _silence(sys.stderr if err else sys.stdout)


def echo(message: object = "", *, err: bool = False) -> None:
    """Write one line to stdout (or stderr), made safe for a terminal by
    :func:`~kiosk.text.for_terminal`: the one way a command writes a line. A stream that
    cannot be written is noted, never raised (see :func:`outcome`)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # closed before the kiosk started
        _lose(err, OSError(errno.EBADF, "closed"))
        return
    line = for_terminal(str(message))
    if len(line) > LINE_MAX:
        line = f"{line[:LINE_MAX]}… ({len(line) - LINE_MAX} more characters)"
    try:
        try:
            click.echo(line, err=err)
        except UnicodeEncodeError:  # a terminal that cannot show every script
            encoding = getattr(stream, "encoding", None) or "ascii"
            click.echo(line.encode(encoding, "backslashreplace").decode(encoding), err=err)
    except OSError as exc:
        _lose(err, exc)


def warn(line: str) -> None:
    echo(f"warning: {line}", err=True)


class _Stream:
    """Standard output for data: UTF-8 whatever the locale, made safe by
    :func:`~kiosk.text.for_terminal` when it is a terminal (``safe``), and a write that fails
    noted once, never raised."""

    def __init__(self, stream: IO[str], *, safe: bool) -> None:
        self._stream = stream
        self._buffer: IO[bytes] | None = getattr(stream, "buffer", None)
        self._safe = safe
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        if _state.lost is None:
            out = for_terminal(text, lines=True) if self._safe else text
            try:
                if self._buffer is not None:
                    self._buffer.write(out.encode("utf-8", "replace"))
                else:
                    self._stream.write(out)
            except OSError as exc:
                _lose(False, exc)
        return len(text)

    def flush(self) -> None:
        try:
            (self._buffer or self._stream).flush()
        except OSError as exc:
            _lose(False, exc)

    @property
    def lost(self) -> bool:
        """Whether a write to standard output failed (a closed pipe): what follows goes nowhere."""
        return _state.lost is not None

    def isatty(self) -> bool:
        try:
            return self._stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True


def _stdout(hint: str = "") -> IO[str]:
    stream = sys.stdout
    if stream is None:
        raise KioskError("closed" + hint, source="standard output")
    try:
        stream.flush()  # what was echoed before comes first
    except OSError as exc:
        _lose(False, exc)
    return stream


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


@contextmanager
def standard_output() -> Iterator[_Stream]:
    """Standard output for an export: the data as it is to a file or a pipe; made safe for a
    terminal (:func:`~kiosk.text.for_terminal`, newlines kept) when it is one."""
    stream = _stdout("; give a file with -o")
    out = _Stream(stream, safe=_is_terminal(stream))
    yield out
    out.flush()


def console() -> Console:
    """A rich console on standard output, for the report's tables (fed text made safe by
    :mod:`kiosk.reports.terminal`); a write that fails is noted, never raised."""
    from rich.console import Console

    return Console(file=cast(IO[str], _Stream(_stdout(), safe=False)), highlight=False, soft_wrap=False)


def error_is_terminal() -> bool:
    """Whether standard error is a terminal (where a progress bar may be drawn)."""
    return sys.stderr is not None and _is_terminal(sys.stderr)


def error_console() -> Console:
    """A rich console on standard error, for a progress bar (:mod:`.progress`): its label is
    made safe for a terminal there."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def outcome(func: F) -> F:
    """Marks a command that changes something (records, prints, merges, purges): its exit
    code says what it did, and output that could not be written does not change it."""
    import functools

    @functools.wraps(func)
    def marked(*args: Any, **kwargs: Any) -> Any:
        _state.keeps_code = True
        return func(*args, **kwargs)

    return cast(F, marked)


def _settle(code: int) -> int:
    """The exit code, once what is buffered is written: a command whose output was its
    product (an export, a list) and could not all be written does not exit 0."""
    for err in (False, True):
        stream = sys.stderr if err else sys.stdout
        if stream is not None:
            try:
                stream.flush()
            except OSError as exc:
                _lose(err, exc)
            except ValueError:  # closed
                pass
    lost = _state.lost
    if lost is None:
        return code
    if lost.errno == errno.EPIPE:
        return code if code or _state.keeps_code else EXIT_BROKEN_PIPE
    problem = "closed" if lost.errno == errno.EBADF else f"cannot write: {lost.strerror or lost}"
    if _state.keeps_code:
        echo(f"warning: standard output: {problem} (the exit code still says what was done)", err=True)
        return code
    if code == 0:
        echo(f"Error: standard output: {problem}", err=True)
        return EXIT_FAILED
    return code


# -- errors -----------------------------------------------------------------------------------


def _located(exc: KioskError, ctx: click.Context) -> KioskError:
    """``exc``, naming the option of the command its value came from, when it names no source."""
    if exc.source is not None or not exc.field:
        return exc
    flag = "--" + exc.field.replace("_", "-")
    current: click.Context | None = ctx
    while current is not None:
        if any(flag in param.opts for param in current.command.params):
            return exc.at(flag)
        current = current.parent
    return exc


class OneLineErrors:
    """Turns a KioskError raised while a command runs into its one-line message, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except KioskError as exc:
            raise click.ClickException(str(_located(exc, ctx))) from None


class KioskCommand(OneLineErrors, click.Command):
    pass


class KioskGroup(OneLineErrors, click.Group):
    """A click group whose errors, usage errors included, are one line on stderr.

    ``lazy`` names the module of :mod:`kiosk.cli` that holds each of its commands: the module
    is imported only when the command is asked for (run, or listed by ``--help``), so a
    command loads its own code and no other's (click's lazy-loading pattern). A command's
    module registers it on the group as usual (``@group.command()``); the test of the command
    tree (tests/test_cli_imports.py) checks that every command is named here."""

    command_class = KioskCommand
    group_class = type  # subgroups are KioskGroups too

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(f"{__package__}.{self.lazy[cmd_name]}")
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # "Did you mean": among every command, loaded or not
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=exc.ctx) from None

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        _state.reset()
        code: int
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else EXIT_OK
        except click.exceptions.Abort:
            echo("Aborted.", err=True)
            code = EXIT_FAILED
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split())
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                message = f"{message} (see: {exc.ctx.command_path} --help)"
            echo(f"Error: {message}", err=True)
            code = exc.exit_code
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_FAILED)
            if type(sys.stdout).__name__ == "_PacifyFlushWrapper":  # click's own exit on a closed pipe
                _lose(False, OSError(errno.EPIPE, "closed"))
                code = EXIT_OK
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT):
                raise
            _lose(False, exc)  # click's help or version text could not be written
            code = EXIT_OK
        sys.exit(_settle(code))


# Every command of `kiosk`, and the module of kiosk.cli that holds it (see KioskGroup). The groups whose
# commands live in several modules (export, printer) are in .groups, which names theirs.
COMMANDS = {
    "cases": "stall", "counter": "counter", "demo": "stall", "export": "groups", "forget": "people", "hq": "hq",
    "jobs": "stall", "merge": "records", "paper": "paper", "printer": "groups", "purge": "people",
    "report": "records", "run": "stall", "set-pin": "stall", "setup": "setup", "sign": "stall",
    "signer-key": "signers", "sync": "sync",
}


@click.group(cls=KioskGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kiosk")
def cli() -> None:
    """The letter-writing kiosk: visitors sign appeals and postcards for people at risk."""


def _standard_streams() -> None:
    """Give file descriptors 0, 1 and 2 a file when they were closed (``kiosk ... >&-``),
    so that no file the kiosk opens later (its database) gets one and receives its output;
    the stream stays closed for the kiosk (its output is reported lost, not sent nowhere)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            if fd == 0:  # a question then reads end-of-input: "Aborted.", not a crash
                with suppress(OSError):
                    sys.stdin = open(0, closefd=False, encoding="utf-8")  # noqa: SIM115 - the process's stdin
            elif fd == 1:
                sys.stdout = None
            else:
                sys.stderr = None


def log_error() -> str:
    """The traceback being handled, appended to errors.log in the data folder (0600, in a
    0700 folder); `` (details in PATH)`` to say so, or nothing when it cannot be written."""
    import traceback

    from .. import locations
    from ..private import append_private, private_dir

    log = locations.data_dir() / "errors.log"
    try:
        private_dir(log.parent)
        with suppress(OSError):
            if log.lstat().st_size > LOG_LIMIT and not log.is_symlink():
                old = log.with_name("errors.log.1")
                os.chmod(log, 0o600)  # an older kiosk's log may be readable by others: the kept copy is not
                os.replace(log, old)
        with append_private(log, encoding="utf-8", errors="backslashreplace") as f:
            traceback.print_exc(file=f)
    except (OSError, ValueError):
        return ""
    return f" (details in {log})"


def main() -> NoReturn:
    _standard_streams()
    try:
        cli.main(prog_name="kiosk", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        echo("kiosk: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the user gets one line; the details go to a log file
        where = log_error()
        echo(f"kiosk: unexpected error: {type(exc).__name__}: {exc}{where}", err=True)
        sys.exit(_settle(EXIT_FAILED))
    sys.exit(0)
