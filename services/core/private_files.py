"""Files the app creates that hold records or secrets: readable by their owner only (0600).

The SQLite database (and the -wal/-shm files SQLite gives the database's own mode), backups,
the demo keys and the audit anchor are created here, never with the process umask's 0644.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists; tighten an existing one to 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            try:
                path.chmod(PRIVATE_MODE)
            except PermissionError:  # another owner's file: theirs to fix, still usable
                pass


def append_private(path: Path, line: str) -> None:
    """Append one line (a single write: lines from several processes never interleave)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def write_new_private(path: Path, text: str) -> str:
    """Write `text` to a new 0600 file, or return what is already there (the first writer
    wins, so two processes starting at once agree on one demo key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    try:
        os.link(partial, path)  # atomic, and fails when another process got there first
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
    return path.read_text().strip()
