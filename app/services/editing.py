"""The frame every staff edit shares: its error, field problems, the audit entry, slugs.

Edits are plain functions with plain arguments and ``now``. Each one checks everything
before it writes, runs in one write transaction, records an AuditEvent, and refuses with
an ``EditError`` (stable code) that leaves nothing written.
"""

import re
import unicodedata
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from ..extensions import db
from ..models import AuditEvent
from .errors import DomainError, Problem

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80  # the models' slug columns
Row = TypeVar("Row")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe",
                         "Ü": "ue"})


class EditError(DomainError):
    """An edit refused. Codes: ``invalid`` (see :class:`InvalidInput`), ``unknown_rally``,
    ``unknown_shop``, ``unknown_station``, ``unknown_card``, ``already_in_rally``,
    ``bad_flag``, ``note_required``, ``note_too_long``."""


class InvalidInput(EditError):
    """Input refused field by field; ``problems`` names each reason."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems; the code is always ``invalid``."""
        super().__init__("invalid", problems=problems)
        self.problems = problems


def slugify(text: str) -> str:
    """A URL slug from a German name: ``Bäckerei Müller & Söhne`` → ``baeckerei-mueller-soehne``."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_GERMAN))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def audit(now: datetime, actor_id: int | None, action: str, subject: str,
          **details: Any) -> None:
    """Add an audit event to the open transaction."""
    db.session.add(AuditEvent(created_at=now, actor_id=actor_id, action=action,
                              subject=subject[:120], details=details))


def refuse(problems: list[Problem]) -> NoReturn:
    """Roll back what this transaction did and raise :class:`InvalidInput`."""
    db.session.rollback()
    raise InvalidInput(problems)


def existing(model: type[Row], key: int, code: str) -> Row:
    """The row of ``model`` with primary key ``key``; else roll back and raise
    ``EditError(code)``."""
    row = db.session.get(model, key)
    if row is None:
        db.session.rollback()
        raise EditError(code)
    return row
