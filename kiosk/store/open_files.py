"""The open-file limit, said as it is: SQLite reports a file it could not open because too many
files are open (EMFILE) as one it cannot open at all, which reads as a damaged or a
write-protected file. :func:`out_of_files` tells the two apart, just after the failure."""

from __future__ import annotations

import os

_SPARE_FILES = 8  # files one database needs open at once, at most: the file, its journals, a copy and its journals
MERGE_FEWER = "raise it, or merge fewer files at a time"


def out_of_files(advice: str = "raise it and try again") -> str | None:
    """What to say of a file that could not be opened just now, if the open-file limit is why
    (fewer than a few more files can be opened); None if it is not."""
    import errno

    opened: list[int] = []
    try:
        for _ in range(_SPARE_FILES):
            opened.append(os.open(os.devnull, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)))
    except OSError as exc:
        if exc.errno in (errno.EMFILE, errno.ENFILE):
            return limit_problem(advice)
    finally:
        for fd in opened:
            os.close(fd)
    return None


def limit_problem(advice: str, limit: str | None = None) -> str:
    limit = limit or open_file_limit()
    return (f"cannot be opened: too many files are open at once (this system's open-file limit, `ulimit -n`"
            f"{f', is {limit}' if limit else ''}); {advice}")


def open_file_limit() -> str | None:
    """The soft limit, as text; None when it cannot be known. Call it once before the files run
    out (:meth:`~kiosk.store.merge.Merging.merge` does): after, its module cannot be loaded."""
    try:
        import resource
    except ImportError:  # not on this system, or no file left to load it from
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return "unlimited" if soft == resource.RLIM_INFINITY else str(soft)
