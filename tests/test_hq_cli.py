"""``kiosk hq`` on a stall laptop without the extra: ``kiosk --help`` and every stall command work,
and ``kiosk hq ...`` says in one line what to install. And the service goes on after PostgreSQL restarts."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.hq import answers, batch, one_line_error, signature, upload

WITHOUT_EXTRA = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("psycopg", "psycopg_pool", "starlette", "uvicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Missing())
import importlib.util
found = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name in ("psycopg", "psycopg_pool", "starlette", "uvicorn") \\
    else found(name, *a)
from kiosk.cli import main
sys.argv = ["kiosk", *sys.argv[1:]]
main()
"""


def kiosk_without_extra(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_EXTRA, *args], capture_output=True, text=True, timeout=60)


def test_the_command_line_works_without_the_extra():
    helped = kiosk_without_extra("--help")
    assert helped.returncode == 0 and " hq " in helped.stdout
    assert kiosk_without_extra("hq", "--help").returncode == 0


def test_kiosk_hq_without_the_extra_says_what_to_install():
    done = kiosk_without_extra("hq", "init", "--dsn", "postgresql://x@127.0.0.1/hq")
    assert done.returncode == 1
    assert done.stderr == ("Error: the office's commands need the hq extra: pip install '.[hq]'"
                           " in the kiosk's source folder"
                           " (psycopg, psycopg_pool, starlette, uvicorn missing)\n")


def test_uploads_wait_out_a_postgresql_restart(hq_service, postgres):
    token = hq_service.token("stall-1")
    assert answers(upload(hq_service.url, token, batch("stall-1", [signature()]))) == ["new"]
    postgres.stop()
    try:
        response = upload(hq_service.url, token, batch("stall-1", [signature()]))
        assert one_line_error(response, 503) == "the database is unavailable: try again later"
        assert response.headers["retry-after"] == "5"
    finally:
        postgres.start()
    row = signature()
    assert answers(upload(hq_service.url, token, batch("stall-1", [row]))) == ["new"]
    postgres.restart()
    assert answers(upload(hq_service.url, token, batch("stall-1", [row]))) == ["duplicate"]
