"""Online backups: SQLite through its backup API, PostgreSQL through pg_dump.

A backup holds everything the database does, personal data included: copies and their
folder are created for the app's user only (0600 and 0700), whatever the umask.
"""

import shutil
import sqlite3
import subprocess  # noqa: S404  (runs pg_dump with fixed arguments, no shell)
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ..private_files import PRIVATE_UMASK, create_private_file, private_directory
from .errors import DomainError


class BackupError(DomainError):
    """Backup refused. Codes: ``unsupported``, ``no_pg_dump``, ``failed``, ``exists``."""


def backup_sqlite(database: Path, target: Path) -> Path:
    """Copy a live SQLite database page by page into ``target``, consistently.

    The backup API copies a snapshot while the app keeps reading and writing; the copy
    is checked with ``PRAGMA integrity_check`` before it is moved into place.
    """
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run, perhaps with another mode
    create_private_file(partial)  # SQLite takes the empty file for a new database
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        source.backup(copy, pages=1024)
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError("failed", reason=check)
    partial.replace(target)
    return target


def backup_postgres(url: str, target: Path) -> Path:
    """Run ``pg_dump --format=custom`` into ``target`` (restore with ``pg_restore``).

    pg_dump creates its file with the umask it inherits; it runs with one that leaves
    the file to its owner.
    """
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("no_pg_dump")
    libpq_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    partial = target.with_name(target.name + ".partial")
    result = subprocess.run(  # noqa: S603
        [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", libpq_url],
        capture_output=True,
        text=True,
        check=False,
        umask=PRIVATE_UMASK,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError("failed", reason=result.stderr.strip()[:300])
    partial.replace(target)
    return target


def make_backup(database_url: str, target_dir: Path, now: datetime, out: Path | None) -> Path:
    """Back the configured database up to ``out`` or a time-stamped file in ``target_dir``."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if backend == "sqlite" and url.database:
        target = out or target_dir / f"rallye-{stamp}.sqlite3"
    elif backend == "postgresql":
        target = out or target_dir / f"rallye-{stamp}.pgdump"
    else:
        raise BackupError("unsupported", backend=backend)
    if target.exists():
        raise BackupError("exists", path=str(target))
    private_directory(target.parent)
    if backend == "sqlite":
        return backup_sqlite(Path(str(url.database)), target)
    return backup_postgres(database_url, target)
