"""Staff's English and Turkish translations of the texts they write, and how public pages
show them.

A text is named by its subject as the revisions name it: ``event:<id>``, ``door:<id>``,
``listing:<id>``, ``block:<key>`` or ``service:<id>``. Each kind translates some of its
German fields (``FIELDS``); a field's translation lives in the model's own field name
(``body`` for an event's ``description``).

Writing: :func:`save` stores the translations of one text in one language, an empty
field deleting its translation, checked first (lengths as the German columns, no control
characters), in one write transaction with an audit entry (``translation.save``).

Reading: :func:`localize` fetches every translation a page needs in one query and
returns, per text and field, what to show: the translation in the visitor's language
where there is one, else the German text marked as German (``lang="de"`` and one note
per text on the page). Nothing here is cached, so a saved translation shows at once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..formats import current_language
from ..models import BLOCK_KEYS, AdventDoor, Event, Listing, Service, Translation
from ..models.common import TRANSLATED_LANGUAGES
from .content import render_markdown
from .editing import EditError, audit, refuse
from .errors import Problem
from .office_texts import UNTRANSLATED_BLOCKS, office_text


@dataclass(frozen=True)
class Field:
    """One translatable field: the German attribute it replaces and its longest text."""

    attribute: str
    limit: int
    multiline: bool = False


# What each kind of text may translate, in the order the form shows them; the limits are
# the German columns' (and the German forms').
FIELDS: dict[str, dict[str, Field]] = {
    "event": {"title": Field("title", 120), "summary": Field("summary", 300),
              "body": Field("description", 20_000, multiline=True),
              "image_alt": Field("image_alt", 200)},
    "door": {"title": Field("title", 120), "body": Field("body", 20_000, multiline=True),
             "offer": Field("offer", 300), "image_alt": Field("image_alt", 200)},
    "listing": {"title": Field("title", 120),
                "body": Field("description", 6000, multiline=True)},
    "block": {"title": Field("title", 120), "body": Field("body", 20_000, multiline=True)},
    "service": {"title": Field("title", 120), "summary": Field("summary", 300),
                "body": Field("body", 20_000, multiline=True)},
}
MODELS: dict[str, type[Any]] = {"event": Event, "door": AdventDoor, "listing": Listing,
                                "service": Service}


def subject_of(kind: str, key: object) -> str:
    """The subject naming text ``key`` of ``kind``: ``event:7``, ``block:imprint``."""
    return f"{kind}:{key}"


def german_text(subject: str, office: dict[str, str]) -> tuple[str, Any]:
    """The kind and the German text of ``subject`` (a row, or a block's OfficeText);
    ``EditError("unknown_text")`` if there is no such text."""
    kind, _, key = subject.partition(":")
    if kind == "block":
        if key not in BLOCK_KEYS or key in UNTRANSLATED_BLOCKS:
            raise EditError("unknown_text")
        return kind, office_text(key, office)
    if kind not in MODELS or not key.isdigit() or len(key) > 12:
        raise EditError("unknown_text")
    row = db.session.get(MODELS[kind], int(key))
    if row is None:
        raise EditError("unknown_text")
    return kind, row


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def check(kind: str, fields: dict[str, str]) -> list[Problem]:
    """Every reason to refuse these translations of a text of ``kind``."""
    known = FIELDS[kind]
    problems = []
    for name, value in fields.items():
        if name not in known:
            problems.append(Problem(name, "unknown_field"))
        elif len(value) > known[name].limit:
            problems.append(Problem(name, "too_long", {"max": known[name].limit}))
        elif has_control_characters(value, multiline=known[name].multiline):
            problems.append(Problem(name, "control_characters"))
    return problems


def save(subject: str, language: str, fields: dict[str, str], *, actor_id: int | None,
         now: datetime, office: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Store the translations of ``subject`` into ``language``; an empty (or blank) field
    deletes that field's translation. Refused: ``unknown_text``, ``unknown_language``,
    ``invalid`` (field by field: ``too_long``, ``control_characters``,
    ``unknown_field``), ``conflict``. Audited as ``translation.save`` with the fields
    saved and deleted, which it also returns."""
    return save_languages(subject, {language: fields}, actor_id=actor_id, now=now,
                          office=office)[language]


def save_languages(subject: str, languages: dict[str, dict[str, str]], *,
                   actor_id: int | None, now: datetime, office: dict[str, str] | None = None
                   ) -> dict[str, dict[str, list[str]]]:
    """:func:`save` for several languages at once (the back office's form), all checked
    before anything is written and saved in one transaction, one audit entry each.
    Problems name their field as ``<language>_<field>``."""
    kind, _text = german_text(subject, office or {})
    if any(language not in TRANSLATED_LANGUAGES for language in languages):
        raise EditError("unknown_language")
    begin_write()
    problems = [Problem(f"{language}_{problem.field}", problem.code, problem.context)
                for language, fields in languages.items()
                for problem in check(kind, fields)]
    if problems:
        refuse(problems)
    stored = {(row.language, row.field): row for row in db.session.scalars(
        select(Translation).where(Translation.subject == subject).with_for_update())}
    result = {}
    for language, fields in languages.items():
        changes: dict[str, list[str]] = {"saved": [], "deleted": []}
        for name, value in fields.items():
            row = stored.get((language, name))
            if not value.strip():
                if row is not None:
                    db.session.delete(row)
                    changes["deleted"].append(name)
            elif row is None:
                db.session.add(Translation(subject=subject, language=language, field=name,
                                           text=value, updated_at=now, updated_by=actor_id))
                changes["saved"].append(name)
            elif row.text != value:
                row.text, row.updated_at, row.updated_by = value, now, actor_id
                changes["saved"].append(name)
        if changes["saved"] or changes["deleted"]:
            audit(now, actor_id, "translation.save", subject, language=language, **changes)
        result[language] = changes
    try:
        db.session.commit()
    except IntegrityError as error:  # the same field added at the same moment
        db.session.rollback()
        raise EditError("conflict") from error
    return result


def stored(subject: str) -> dict[tuple[str, str], str]:
    """Every translation of ``subject``: (language, field) → text (one query)."""
    return {(row.language, row.field): row.text for row in db.session.scalars(
        select(Translation).where(Translation.subject == subject))}


# ---------------------------------------------------------------------------
# Reading, for public pages
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One field as a page shows it: the text and the language it is in. ``marked``: it
    is German on a page in another language (so the element gets ``lang="de"``)."""

    text: str
    language: str
    marked: bool

    def __str__(self) -> str:
        """The text (escaped by Jinja like any string)."""
        return self.text

    def __bool__(self) -> bool:
        """Whether there is anything to show."""
        return bool(self.text)

    @property
    def lang(self) -> Markup:
        """`` lang="de"`` for the element that shows a German text on a page in another
        language; else nothing."""
        return Markup(' lang="de"') if self.marked else Markup("")

    @property
    def html(self) -> Markup:
        """The text as Markdown, through the same sanitiser as the German texts."""
        return render_markdown(self.text)

    @property
    def html_with_contacts(self) -> Markup:
        """:attr:`html` with phone numbers and e-mail addresses as links (service
        pages)."""
        return render_markdown(self.text, link_contacts=True)


@dataclass(frozen=True)
class Localized:
    """One text's fields as a page shows them, by the translation's field names
    (``t.title``, ``t.body``)."""

    fields: dict[str, Shown]

    def __getitem__(self, name: str) -> Shown:
        """The field ``name``; Jinja's ``t.title`` ends here."""
        return self.fields[name]

    @property
    def html(self) -> Markup:
        """The body as sanitised HTML (an office text's ``text.html``)."""
        return self.fields["body"].html

    @property
    def german(self) -> bool:
        """Whether a shown field is German on a page in another language: then the page
        says once, near it, that the text is only in German."""
        return any(shown.marked and shown.text for shown in self.fields.values())


def localize(kind: str, texts: Iterable[Any], *, key: Callable[[Any], object] | None = None,
             language: str | None = None) -> dict[object, Localized]:
    """The texts of ``kind`` (rows, or a block's OfficeText) in ``language`` (the one
    being rendered), by ``key`` (the row's id, a block's key): one query for all of them,
    none in German. A field the text does not carry (the calendar grid's doors have
    only a title) shows as empty."""
    language = language or current_language()
    key = key or (lambda text: text.key if kind == "block" else text.id)
    items = {key(text): text for text in texts}
    found: dict[tuple[str, str], str] = {}
    if language != "de" and items:
        found = {(row.subject, row.field): row.text for row in db.session.scalars(
            select(Translation).where(
                Translation.language == language,
                Translation.subject.in_([subject_of(kind, k) for k in items])))}
    result = {}
    for k, text in items.items():
        subject = subject_of(kind, k)
        fields = {}
        for name, field in FIELDS[kind].items():
            translated = found.get((subject, name))
            if translated is not None:
                fields[name] = Shown(translated, language, marked=False)
            else:
                fields[name] = Shown(getattr(text, field.attribute, "") or "", "de",
                                     marked=language != "de")
        result[k] = Localized(fields)
    return result


def localize_one(kind: str, text: Any) -> Localized:
    """One text of ``kind`` as :func:`localize` gives it."""
    return next(iter(localize(kind, [text]).values()))


def block_texts(keys: Iterable[str], office: dict[str, str]) -> dict[object, Localized]:
    """Blocks ``keys`` as a page shows them, translated where staff translated them."""
    return localize("block", [office_text(key, office) for key in keys])


def any_german(texts: Iterable[Localized]) -> bool:
    """Whether one of ``texts`` shows German on a page in another language (a list's
    one note)."""
    return any(text.german for text in texts)

