"""A PostgreSQL cluster of the tests' own, for the office's side (``kiosk hq``), and its fixtures.

Each pytest-xdist worker starts one cluster from the installed server binaries (``initdb``,
``pg_ctl``: on PATH, or Debian's ``/usr/lib/postgresql/<version>/bin``) in a temporary folder,
listening on a loopback port and a unix socket in that folder, trusting every local
connection, with fsync off; it is stopped when the worker ends. Each test gets a database of
its own (``hq_dsn``). PostgreSQL refuses to run as root: as root, the server runs as the
``postgres`` user (else ``nobody``) through ``runuser``, and the folder is theirs.

A missing server fails the test with one line saying what to install: nothing is skipped.

Fixtures (import them into a conftest, as tests/conftest.py does):

- ``postgres``: the worker's :class:`Cluster` (``.dsn``, ``.stop()``, ``.start()``,
  ``.restart()``, ``.kill()``, ``.running``);
- ``hq_dsn``: a fresh empty database for this test, as a DSN;
- ``hq_db``: the same, with the HQ schema made (``kiosk.hq.schema.migrate``);
- ``hq_service``: the HQ service on a loopback port for this test's database (:class:`Service`:
  ``.url``, ``.token(kiosk_id)``, ``.dsn``, ``.cluster``), stopped after the test.

A fault test that stops or restarts the cluster leaves it running again when it ends
(``postgres`` starts it before the next test if it is down).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")
START_TIMEOUT = 60


class PostgresMissing(RuntimeError):
    """The server binaries are not installed."""


def server_binaries() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian/RPM install."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    candidates = [p for pattern in SEARCH for p in Path("/").glob(pattern.lstrip("/")) if (p / "initdb").is_file()]

    def version(path: Path) -> tuple[int, ...]:
        digits = "".join(ch if ch.isdigit() else " " for ch in str(path))
        return tuple(int(n) for n in digits.split())

    if not candidates:
        raise PostgresMissing("PostgreSQL server not found (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin):"
                              " install it, e.g. apt-get install postgresql")
    return max(candidates, key=version)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_user() -> str | None:
    """Who runs the server: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresMissing("running as root and there is no postgres or nobody user to run PostgreSQL as")


class Cluster:
    """One PostgreSQL cluster in a temporary folder, on a loopback port."""

    def __init__(self, root: Path | None = None) -> None:
        self.bin = server_binaries()
        self.user = _server_user()
        self.root = Path(root or tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._numbers = itertools.count(1)
        self._migrated: str | None = None  # the database migrated_database() copies
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chmod(self.root, 0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        with open(self.data / "postgresql.auto.conf", "a", encoding="utf-8") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 16MB\nmax_connections = 60\n"
                "log_min_messages = warning\n"
            )

    # -- running it ------------------------------------------------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(self._command(program, *args), capture_output=True, text=True, timeout=120,
                                cwd=self.root)
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
            log = self.log.read_text(errors="replace").splitlines()[-10:] if self.log.exists() else []
            raise RuntimeError(f"{program} {' '.join(args[:2])} failed: {' | '.join(tail + log)}")

    @property
    def dsn(self) -> str:
        """The DSN of the cluster's ``postgres`` database (the admin one)."""
        return self.database_dsn("postgres")

    def database_dsn(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    @property
    def pid(self) -> int | None:
        """The postmaster's process id, from its pid file, or None when it is not running."""
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first)
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    @property
    def running(self) -> bool:
        return self.pid is not None

    def start(self) -> None:
        """Start the server on its port (the same one every time) and wait until it accepts connections."""
        if self.running:
            return
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_TIMEOUT),
                  "-o", f"-p {self.port}", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: connections are cut; ``immediate``: as a crash would)."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", str(START_TIMEOUT), "-m", mode, "stop")

    def restart(self) -> None:
        """Stop (cutting every connection) and start again on the same port."""
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would; its children notice and end. ``start()`` recovers it."""
        pid = self.pid
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.02)
        # the children hold the shared memory a while; wait until nothing listens on the port
        while time.monotonic() < deadline and self._listening():
            time.sleep(0.05)

    def _listening(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -------------------------------------------------------------------------

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (a database's name); its DSN."""
        name = f"hq_{os.getpid()}_{next(self._numbers)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.database_dsn(name)

    def migrated_database(self) -> str:
        """A new database with the HQ schema made: a copy of one migrated once per cluster (copying
        a database is quicker than migrating one for every test)."""
        if self._migrated is None:
            from kiosk.hq.schema import migrate

            dsn = self.create_database()
            migrate(dsn)
            self._migrated = dsn.rsplit("/", 1)[1]
        return self.create_database(template=self._migrated)

    def drop_database(self, dsn: str) -> None:
        name = dsn.rsplit("/", 1)[1]
        with contextlib.suppress(Exception):
            self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster() -> Cluster:
    """A new running cluster; a port another worker took meanwhile is tried again on another."""
    cluster = Cluster()
    for attempt in range(3):
        try:
            cluster.start()
            return cluster
        except RuntimeError:
            if attempt == 2:
                cluster.destroy()
                raise
            cluster.port = free_port()
    return cluster


# -- the service ---------------------------------------------------------------------------


class Service:
    """The HQ service (uvicorn, in a thread of the test process) on a loopback port."""

    def __init__(self, dsn: str, cluster: Cluster | None = None, **options: Any) -> None:
        import uvicorn

        from kiosk.hq.service import create_app

        self.dsn = dsn
        self.cluster = cluster
        self.app = create_app(dsn, **options)
        self.port = free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HQ service did not start on port {self.port}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, kiosk_id: str) -> str:
        """A new token for ``kiosk_id`` (the secret, as ``kiosk hq token add`` shows it once)."""
        from kiosk.hq.tokens import add_token

        return add_token(self.dsn, kiosk_id).secret

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=20)


class ServiceProcess:
    """``kiosk hq serve`` as its own process, to be killed with SIGKILL and started again."""

    def __init__(self, dsn: str, port: int) -> None:
        self.dsn, self.port, self.proc = dsn, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "hq", "serve", "--dsn", self.dsn,
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError(self.proc.stderr.read().decode(errors="replace")) from None
                time.sleep(0.05)
        raise AssertionError("kiosk hq serve did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """This worker's cluster, running (started again if a test left it stopped)."""
    try:
        cluster = start_cluster()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def hq_dsn(postgres: Cluster) -> Iterator[str]:
    """A fresh empty database for this test."""
    yield from _for_the_test(postgres, postgres.create_database)


@pytest.fixture
def hq_db(postgres: Cluster) -> Iterator[str]:
    """A fresh database with the HQ schema made."""
    yield from _for_the_test(postgres, postgres.migrated_database)


def _for_the_test(postgres: Cluster, make: Any) -> Iterator[str]:
    """A database ``make`` makes, dropped after the test (the cluster running again if it left it stopped)."""
    postgres.start()
    dsn = make()
    yield dsn
    postgres.start()
    postgres.drop_database(dsn)


@pytest.fixture
def start_service(hq_db: str, postgres: Cluster) -> Iterator[Any]:
    """``start_service(**options)``: the HQ service for this test's database, with the options of
    :func:`kiosk.hq.service.create_app` (``rate=``, ``burst=``, ...); every one is stopped after the test."""
    started: list[Service] = []

    def start(**options: Any) -> Service:
        service = Service(hq_db, postgres, **options)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def hq_service(start_service: Any) -> Service:
    """The HQ service on a loopback port, for this test's database."""
    return start_service()
