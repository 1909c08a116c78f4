"""File-system primitives every writing stage shares: whole-file writes, a lock per output folder, and a folder
swapped in whole.

A reader never sees half a file (``write_atomic``: a temporary file in the same folder, renamed over the target),
two runs never write one folder at once (``FolderLock``: an exclusive ``flock`` on ``<folder>.lock`` beside it,
released by the kernel when the process dies, so a killed run leaves no stale lock), and a run's outputs replace
the previous ones whole or not at all (``replace_folder``).
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path


class OutputError(Exception):
    """An output folder that cannot be written (read-only, full disk, locked by another run): one line."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file whole or not at all; the temporary file is removed on any failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_os_error(exc: OSError, path: Path) -> str:
    """A one-line message for the failures a user's disk gives."""
    reasons = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EDQUOT: "the disk quota is exceeded"}
    return f"{path}: cannot write: {reasons.get(exc.errno, exc.strerror or type(exc).__name__)}"


class FolderLock:
    """An exclusive lock on an output folder, held while a run writes it.

    ``wait=False``: a second run fails at once with OutputError naming the folder; ``wait=True``: it waits (up to
    ``timeout`` seconds) for the first to finish."""

    def __init__(self, folder: Path, wait: bool = False, timeout: float = 3600.0) -> None:
        self.folder = folder
        self.path = folder.with_name(f".{folder.name}.lock")
        self.wait, self.timeout = wait, timeout
        self.handle = None

    def __enter__(self) -> FolderLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("a")
        except OSError as exc:
            raise OutputError(describe_os_error(exc, self.path)) from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if not self.wait or time.monotonic() > deadline:
                    self.handle.close()
                    raise OutputError(f"{self.folder}: another run is writing this folder (lock {self.path}); "
                                      "wait for it to finish") from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def staging_folder(target: Path) -> Path:
    """A fresh, empty folder beside the target (same file system, so the swap is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))


def replace_folder(staged: Path, target: Path) -> None:
    """Put a complete staged folder in the target's place: the old folder is renamed aside, the new one renamed in,
    the old one removed. A crash between the two renames leaves the old folder beside the target
    (``.<name>.old-*``), never a mixture of old and new files."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        old.rmdir()
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
