"""Files that only the app's own user may read: the SQLite database, its backups, the
secret key, and the instance folder that holds them.

The database holds the draw entries' names and contacts, the secret key signs every
session: neither may be readable by other accounts of the server, whatever the umask of
the process that starts first. Files are created with their final mode (``os.open`` with
0600), never created first and tightened afterwards. SQLite gives its ``-wal`` and
``-shm`` files the mode of the database file, so creating the database file 0600 before
SQLAlchemy first opens it covers them too. Files and folders that already exist are left
as they are: the operator may have chosen their modes (docs/deploy.md says how to
tighten an older installation).
"""

import os
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import make_url

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
PRIVATE_UMASK = 0o077  # for child processes that create files themselves (pg_dump)


def private_directory(path: Path) -> None:
    """Create the folder ``path`` for its owner only (0700), unless it exists.

    Missing parents are made with the default mode: only the folder itself is ours.
    """
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)


def create_private_file(path: Path) -> bool:
    """Create ``path`` as an empty file for its owner only (0600); ``False`` if it exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def sqlite_file(database_url: str) -> Path | None:
    """The file behind an SQLite URL; ``None`` for other databases and in-memory ones."""
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if url.query.get("uri") == "true":  # sqlite:///file:/path/db?uri=true
        if url.query.get("mode") == "memory":
            return None
        database = unquote(database.removeprefix("file:"))
    return Path(database)


def create_sqlite_database(database_url: str) -> Path | None:
    """Create the (empty) file of an SQLite database 0600 before SQLite first opens it.

    SQLite takes an empty file for a new database. Returns the file, or ``None`` when the
    URL names no SQLite file or its folder does not exist (SQLite then reports that itself).
    """
    path = sqlite_file(database_url)
    if path is None or not path.parent.is_dir():
        return None
    create_private_file(path)
    return path
