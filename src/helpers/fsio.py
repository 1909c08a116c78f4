"""File-system primitives every writing stage shares: whole-file writes, a lock per output folder, and a folder
swapped in whole.

A reader never sees half a file (``write_atomic``: a temporary file in the same folder, renamed over the target),
two runs never write one folder at once (``FolderLock``: an exclusive ``flock`` on ``<folder>.lock`` beside it,
released by the kernel when the process dies, so a killed run leaves no stale lock), and a run's outputs replace
the previous ones whole or not at all (``replace_folder``: on Linux one atomic exchange of the two folders; what a
killed run leaves beside the target is cleared, or put back, by the next run: ``clear_staging``).
"""
from __future__ import annotations

import ctypes
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
        os.fchmod(handle, _default_mode(0o666))  # mkstemp's 0600 would hide the file from the folder's other readers
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
    staged = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    staged.chmod(_default_mode(0o777))  # as mkdir would make it, not mkdtemp's 0700
    return staged


def _default_mode(mode: int) -> int:
    """A new file's or folder's mode under the process's umask (read without changing it, where /proc tells)."""
    try:
        status = Path("/proc/self/status").read_text()
        umask = int(status.split("Umask:")[1].split()[0], 8)
    except (OSError, IndexError, ValueError):
        umask = 0o022
    return mode & ~umask


def replace_folder(staged: Path, target: Path) -> None:
    """Put a complete staged folder in the target's place. Where the kernel can (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``) the two folders trade places in one step, so a reader or a kill sees the old folder or the
    new one, never neither; elsewhere the old folder is renamed aside and the new one renamed in, and a crash between
    the two renames leaves the old folder beside the target (``.<name>.old-*``), which ``clear_staging`` puts back."""
    if target.exists() and _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # now the old folder
        return
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


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot (the caller falls back)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def clear_staging(target: Path) -> None:
    """What an interrupted run left beside the target: a staged folder it never swapped in (removed) and, should the
    target be missing after a crash between two renames, the old folder (put back). Call it holding the target's
    FolderLock, so no running run's staging is touched."""
    leftovers = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if leftovers and not target.exists():
        os.replace(leftovers.pop(), target)
    for path in [*leftovers, *target.parent.glob(f".{target.name}.new-*")]:
        shutil.rmtree(path, ignore_errors=True)
