"""Every office text staff edit: the blocks (home page, contact, legal pages, Leichte
Sprache) and the service pages, with their history and the restore of an old version.

A text is named by its subject: ``block:<key>`` or ``service:<id>``. Each save checks
everything before it writes, runs in one write transaction, adds a ``ContentRevision``
with the next version number and records an audit entry (``text.save``,
``text.restore``); a refusal (``EditError``, ``InvalidInput`` field by field) leaves
nothing written. A restore saves the old version again as a new one, so the history only
grows.

The shipped defaults are Markdown files in ``app/content/`` (``# Title`` on the first
line, then the body), with the office's facts from configuration (``$phone``,
``$email`` …) filled in. ``load_defaults`` (``flask content load``, the demo) stores the
missing ones as version 1 and never touches a text that exists; until then a page shows
the shipped default.

The blocks (but Leichte Sprache) and the services also ship in English and Turkish
(``app/content/<language>/<key>.md``, ``demo_data.SERVICE_TRANSLATIONS``):
``load_defaults`` stores them as translations, field by field, where the field has no
translation yet and its German text is still the shipped one; a translation staff saved,
or one of a German text staff rewrote, is never touched.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from string import Template

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import demo_data
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import BLOCK_KEYS, ContentBlock, ContentRevision, Service, Translation, User
from ..models.common import TRANSLATED_LANGUAGES
from .content import render_markdown
from .editing import EditError, audit, refuse
from .errors import Problem

# The models' column lengths, checked so that the database never refuses.
TITLE_MAX = 120
SUMMARY_MAX = 300
BODY_MAX = 20_000
# The office's facts a default text may name, from configuration's OFFICE.
FACTS = ("name", "street", "postcode", "city", "phone", "phone_link", "email", "hours")
# The Leichte Sprache page is German by nature: it has no translations.
UNTRANSLATED_BLOCKS = ("easy_language",)
TRANSLATED_BLOCKS = tuple(key for key in BLOCK_KEYS if key not in UNTRANSLATED_BLOCKS)


@dataclass(frozen=True)
class TextInput:
    """A text as staff enter it; ``summary`` only for service pages."""

    title: str
    body: str
    summary: str = ""


@dataclass(frozen=True)
class OfficeText:
    """A text as a page shows it: from the database, or the shipped default."""

    key: str
    title: str
    body: str

    @property
    def html(self) -> Markup:
        """The body as sanitised HTML."""
        return render_markdown(self.body)


@dataclass(frozen=True)
class Listed:
    """One line of the back office's list of texts."""

    subject: str
    title: str
    kind: str  # "block" or "service"
    key: str  # the block's key or the service's slug
    ident: str  # what the edit URL takes: the key or the service's id
    version: int
    changed_at: datetime | None
    changed_by: User | None


def block_subject(key: str) -> str:
    """The subject of a block's revisions."""
    return f"block:{key}"


def service_subject(service_id: int) -> str:
    """The subject of a service page's revisions."""
    return f"service:{service_id}"


# ---------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------


@cache
def _default_file(key: str, language: str = "de") -> tuple[str, str]:
    """Title and body of a shipped default (German in ``content/``, the others in
    ``content/<language>/``), placeholders unfilled."""
    folder = resources.files("app").joinpath("content")
    if language != "de":
        folder = folder.joinpath(language)
    text = folder.joinpath(f"{key}.md").read_text("utf-8")
    first, _, rest = text.partition("\n")
    return first.removeprefix("#").strip(), rest.strip()


def fill(text: str, office: dict[str, str], language: str = "de") -> str:
    """``text`` with the office's facts for ``$name``, ``$phone`` …; other ``$`` stay.
    ``$hours`` is the office's hours in ``language`` where configuration has them."""
    facts = {name: office.get(name, "") for name in FACTS}
    facts["hours"] = office.get(f"hours_{language}") or facts["hours"]
    return Template(text).safe_substitute(facts)


def default_block(key: str, office: dict[str, str], language: str = "de") -> OfficeText:
    """The shipped default of block ``key`` with the office's facts, in ``language``
    (English and Turkish for ``TRANSLATED_BLOCKS`` only)."""
    if key not in BLOCK_KEYS or (language != "de" and key not in TRANSLATED_BLOCKS):
        raise KeyError(key)
    title, body = _default_file(key, language)
    return OfficeText(key=key, title=fill(title, office, language),
                      body=fill(body, office, language))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def block(key: str) -> ContentBlock | None:
    """The stored block ``key`` (one query), or None."""
    return db.session.scalars(select(ContentBlock).where(ContentBlock.key == key)).first()


def office_text(key: str, office: dict[str, str]) -> OfficeText:
    """Block ``key`` as a page shows it: the stored text, else the shipped default."""
    stored = block(key)
    if stored is None:
        return default_block(key, office)
    return OfficeText(key=key, title=stored.title, body=stored.body)


def history(subject: str) -> list[ContentRevision]:
    """Every saved version of a text, newest first."""
    return list(db.session.scalars(
        select(ContentRevision).where(ContentRevision.subject == subject)
        .order_by(ContentRevision.version.desc())))


def all_texts(office: dict[str, str]) -> list[Listed]:
    """Every block (in ``BLOCK_KEYS`` order) and every service page, each with its
    newest version: when and by whom it was last saved."""
    newest = (select(ContentRevision.subject,
                     func.max(ContentRevision.version).label("version"))
              .group_by(ContentRevision.subject).subquery())
    latest = {revision.subject: revision for revision in db.session.scalars(
        select(ContentRevision).join(newest, (ContentRevision.subject == newest.c.subject)
                                     & (ContentRevision.version == newest.c.version)))}
    blocks = {item.key: item for item in db.session.scalars(select(ContentBlock))}
    rows = []
    for key in BLOCK_KEYS:
        subject = block_subject(key)
        revision = latest.get(subject)
        title = blocks[key].title if key in blocks else default_block(key, office).title
        rows.append(Listed(subject=subject, title=title, kind="block", key=key, ident=key,
                           version=revision.version if revision else 0,
                           changed_at=revision.created_at if revision else None,
                           changed_by=revision.actor if revision else None))
    for service in db.session.scalars(select(Service).order_by(Service.position, Service.id)):
        subject = service_subject(service.id)
        revision = latest.get(subject)
        rows.append(Listed(subject=subject, title=service.title, kind="service",
                           key=service.slug, ident=str(service.id),
                           version=revision.version if revision else 0,
                           changed_at=revision.created_at if revision else None,
                           changed_by=revision.actor if revision else None))
    return rows


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _text(problems: list[Problem], field: str, value: str, limit: int, *,
          required: bool = False) -> None:
    """Length, presence and control characters of one text field."""
    if required and not value.strip():
        problems.append(Problem(field, "missing"))
    elif len(value) > limit:
        problems.append(Problem(field, "too_long", {"max": limit}))
    elif has_control_characters(value, multiline=field == "body"):
        problems.append(Problem(field, "control_characters"))


def check_text(values: TextInput, *, with_summary: bool) -> list[Problem]:
    """Every reason to refuse ``values``; a service page also needs its summary."""
    problems: list[Problem] = []
    _text(problems, "title", values.title, TITLE_MAX, required=True)
    if with_summary:
        _text(problems, "summary", values.summary, SUMMARY_MAX, required=True)
    _text(problems, "body", values.body, BODY_MAX)
    return problems


def _next_version(subject: str) -> int:
    """The number the next revision of ``subject`` takes."""
    newest = db.session.scalar(select(func.max(ContentRevision.version))
                               .where(ContentRevision.subject == subject))
    return int(newest or 0) + 1


def _record(subject: str, values: TextInput, *, now: datetime, actor_id: int | None,
            action: str, restored_from: int | None = None) -> ContentRevision:
    """Add the next revision and the audit entry, and commit; a second save of the same
    version at the same moment is refused as ``conflict``."""
    try:  # the version query flushes the text's row: a block added meanwhile fails there
        revision = ContentRevision(
            subject=subject, version=_next_version(subject), title=values.title,
            summary=values.summary, body=values.body, actor_id=actor_id, created_at=now,
            restored_from=restored_from)
        db.session.add(revision)
        details: dict[str, int] = {"version": revision.version}
        if restored_from is not None:
            details["restored_from"] = restored_from
        audit(now, actor_id, action, subject, **details)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise EditError("conflict") from error
    return revision


def _apply_block(key: str, values: TextInput, now: datetime, actor_id: int | None) -> None:
    """Write ``values`` to block ``key``, adding the row if it is not stored yet."""
    row = db.session.scalars(select(ContentBlock).where(ContentBlock.key == key)
                             .with_for_update()).first()
    if row is None:
        row = ContentBlock(key=key)
        db.session.add(row)
    row.title, row.body = values.title, values.body
    row.updated_at, row.updated_by = now, actor_id


def _service(service_id: int) -> Service:
    """The service, its row locked; ``unknown_text`` if there is none."""
    service = db.session.get(Service, service_id, with_for_update=True,
                             populate_existing=True)
    if service is None:
        db.session.rollback()
        raise EditError("unknown_text")
    return service


def save_block(*, key: str, values: TextInput, now: datetime,
               actor_id: int | None) -> ContentRevision:
    """Save block ``key`` as its next version. Refused: ``unknown_text``, ``invalid``,
    ``conflict``. Audited as ``text.save``."""
    if key not in BLOCK_KEYS:
        raise EditError("unknown_text")
    begin_write()
    problems = check_text(values, with_summary=False)
    if problems:
        refuse(problems)
    values = TextInput(title=values.title, body=values.body)
    _apply_block(key, values, now, actor_id)
    return _record(block_subject(key), values, now=now, actor_id=actor_id,
                   action="text.save")


def save_service(*, service_id: int, values: TextInput, now: datetime,
                 actor_id: int | None) -> ContentRevision:
    """Save a service page (title, summary, body) as its next version. Refused:
    ``unknown_text``, ``invalid``, ``conflict``. Audited as ``text.save``."""
    begin_write()
    service = _service(service_id)
    problems = check_text(values, with_summary=True)
    if problems:
        refuse(problems)
    service.title, service.summary, service.body = values.title, values.summary, values.body
    return _record(service_subject(service_id), values, now=now, actor_id=actor_id,
                   action="text.save")


def restore(*, subject: str, version: int, now: datetime,
            actor_id: int | None) -> ContentRevision:
    """Save version ``version`` of ``subject`` again, as its newest version. Refused:
    ``unknown_text``, ``unknown_version``, ``already_current`` (it is the newest),
    ``conflict``. Audited as ``text.restore``."""
    kind, _, ident = subject.partition(":")
    if kind not in ("block", "service") or (kind == "block" and ident not in BLOCK_KEYS) \
            or (kind == "service" and not ident.isdigit()):
        raise EditError("unknown_text")
    begin_write()
    old = db.session.scalars(select(ContentRevision).where(
        ContentRevision.subject == subject, ContentRevision.version == version)).first()
    if old is None:
        db.session.rollback()
        raise EditError("unknown_version")
    if version == _next_version(subject) - 1:
        db.session.rollback()
        raise EditError("already_current")
    values = TextInput(title=old.title, body=old.body, summary=old.summary)
    if kind == "block":
        _apply_block(ident, values, now, actor_id)
    else:
        service = _service(int(ident))
        service.title, service.summary, service.body = old.title, old.summary, old.body
    return _record(subject, values, now=now, actor_id=actor_id, action="text.restore",
                   restored_from=version)


def load_defaults(office: dict[str, str], now: datetime) -> int:
    """Store what is missing, touching nothing that exists: every block not yet stored
    (the shipped default with ``office``'s facts), the office's six services not yet
    there, and a version 1 for every text without a history; then the shipped English
    and Turkish versions where a field has none (:func:`_load_translations`). Returns how
    many texts it added; the caller commits."""
    added = 0
    stored = set(db.session.scalars(select(ContentBlock.key)))
    for key in BLOCK_KEYS:
        if key not in stored:
            text = default_block(key, office)
            db.session.add(ContentBlock(key=key, title=text.title, body=text.body,
                                        updated_at=now, updated_by=None))
            added += 1
    slugs = set(db.session.scalars(select(Service.slug)))
    for position, item in enumerate(demo_data.SERVICES):
        if item["slug"] not in slugs:
            db.session.add(Service(position=position, **item))
            added += 1
    db.session.flush()
    with_history = set(db.session.scalars(select(ContentRevision.subject).distinct()))
    texts: list[tuple[str, TextInput]] = [
        (block_subject(row.key), TextInput(title=row.title, body=row.body))
        for row in db.session.scalars(select(ContentBlock))]
    texts += [(service_subject(row.id),
               TextInput(title=row.title, body=row.body, summary=row.summary))
              for row in db.session.scalars(select(Service))]
    for subject, values in texts:
        if subject not in with_history:
            db.session.add(ContentRevision(subject=subject, version=1, title=values.title,
                                           summary=values.summary, body=values.body,
                                           actor_id=None, created_at=now))
    _load_translations(office, now)
    return added


def _load_translations(office: dict[str, str], now: datetime) -> int:
    """Store the shipped English and Turkish texts as translations (``updated_by``
    None), each field only where it has no translation yet and its German text is still
    the shipped one (else the translation would say something else); how many fields it
    added. The shipped texts are checked as staff's German ones are."""
    present = {(subject, language, field) for subject, language, field in db.session.execute(
        select(Translation.subject, Translation.language, Translation.field).where(
            Translation.subject.startswith("block:")
            | Translation.subject.startswith("service:")))}
    added = 0

    def add_missing(subject: str, language: str, german: TextInput, shipped: TextInput,
                    values: TextInput, *, with_summary: bool) -> int:
        """Add the fields of ``values`` that may be added; how many."""
        if check_text(values, with_summary=with_summary):
            raise ValueError(f"the shipped {language} text of {subject} is not valid")
        fields = [field for field in ("title", "summary", "body")
                  if getattr(values, field) and (subject, language, field) not in present
                  and getattr(german, field) == getattr(shipped, field)]
        for field in fields:
            db.session.add(Translation(subject=subject, language=language, field=field,
                                       text=getattr(values, field), updated_at=now,
                                       updated_by=None))
        return len(fields)

    for row in db.session.scalars(select(ContentBlock).order_by(ContentBlock.key)):
        if row.key not in TRANSLATED_BLOCKS:
            continue
        default = default_block(row.key, office)
        for language in TRANSLATED_LANGUAGES:
            text = default_block(row.key, office, language)
            added += add_missing(block_subject(row.key), language,
                                 TextInput(title=row.title, body=row.body),
                                 TextInput(title=default.title, body=default.body),
                                 TextInput(title=text.title, body=text.body),
                                 with_summary=False)
    shipped = {item["slug"]: item for item in demo_data.SERVICES}
    for service in db.session.scalars(select(Service).order_by(Service.id)):
        item = shipped.get(service.slug)
        if item is None:
            continue
        for language, fields in demo_data.SERVICE_TRANSLATIONS[service.slug].items():
            added += add_missing(service_subject(service.id), language,
                                 TextInput(title=service.title, body=service.body,
                                           summary=service.summary),
                                 TextInput(title=item["title"], body=item["body"],
                                           summary=item["summary"]),
                                 TextInput(**fields), with_summary=True)
    return added
