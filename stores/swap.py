"""Atomic replacement of an output folder.

A build writes everything into a sibling temporary folder and only then
swaps it in, so a reader (or a build killed at any instant) sees either the
whole previous output or the whole new one. On Linux the swap is one
``renameat2(RENAME_EXCHANGE)`` system call; elsewhere two renames, with
``recover()`` finishing an interrupted swap on the next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    result = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def staging_dir(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))


def _backup_name(target: Path) -> Path:
    return target.parent / f".{target.name}.old"


def recover(target: Path) -> None:
    """Finish a swap interrupted between its two renames; drop stale staging folders."""
    backup = _backup_name(target)
    if backup.exists():
        if target.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            backup.rename(target)
    for stale in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def swap_in(staged: Path, target: Path) -> None:
    """Make ``staged`` the new ``target``; the old one is removed afterwards."""
    _fsync_tree(staged)
    if not target.exists():
        staged.rename(target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # now holds the previous output
        return
    backup = _backup_name(target)
    shutil.rmtree(backup, ignore_errors=True)
    target.rename(backup)
    staged.rename(target)
    shutil.rmtree(backup, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
