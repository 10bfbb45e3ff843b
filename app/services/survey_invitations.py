"""Inviting the rally's shops to a survey: personal links, mails and printed letters.

Each shop of the rally (an active station) answers through one :class:`SurveyRespondent`
with a personal link. Only the link token's hash is stored, so a link cannot be shown
again: every mail and every letter issues a fresh token for the respondent, which
replaces the old one (the answers stay with the respondent). Every action runs in one
write transaction, is audited, and is refused for a survey that is a draft, archived or
closed.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf.enums import Align
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..formats import moment
from ..models import Shop, Survey, SurveyAnswer, SurveyRespondent, User
from .editing import EditError, audit
from .mail import queue_mail
from .posters import FOOTER_TOP, INK, MUTED, PAPER, RED, PosterPDF, draw_emblem
from .qr import check_base_url, print_svg
from .rallies import active_stations
from .survey_links import answer_path, issue_token

LETTER_QR_WIDTH = 55.0  # mm: scanned from a sheet of paper on the counter
INTRO_MAX = 600  # characters of the introduction's first paragraph on a letter
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`#>]+")


class InvitationError(EditError):
    """An invitation refused. Codes: ``survey_draft``, ``survey_archived``,
    ``survey_closed``, ``unknown_shop`` (not a shop of the rally), ``busy`` (a
    concurrent "Links anlegen" got in first)."""


@dataclass(frozen=True)
class ShopInvitation:
    """One shop of the rally and how far its invitation got."""

    shop: Shop
    respondent: SurveyRespondent | None
    accounts: list[User]
    has_answers: bool = False

    @property
    def answer_state(self) -> str:
        """``none`` (no link), ``open`` (link, no answer), ``draft`` or ``submitted``."""
        if self.respondent is None:
            return "none"
        if self.respondent.submitted_at is not None:
            return "submitted"
        return "draft" if self.has_answers else "open"


@dataclass
class MailReport:
    """What "Per E-Mail senden" did: shops mailed, mails queued, shops without account."""

    shops: int = 0
    mails: int = 0
    without_account: list[Shop] = field(default_factory=list)


def anonymity_statement(survey: Survey) -> str:
    """What happens with the answers, said on every invitation."""
    if survey.names_shops:
        return _("Bitte beachten Sie: In den Ergebnissen dieser Umfrage steht, welches "
                 "Geschäft was geantwortet hat.")
    return _("Ihre Antworten werden anonym ausgewertet: Die Ergebnisse zeigen nie, welches "
             "Geschäft was geantwortet hat.")


def intro_paragraph(survey: Survey) -> str:
    """The introduction's first paragraph as plain text (Markdown marks removed)."""
    first = next((part for part in re.split(r"\n\s*\n", survey.intro.strip()) if part), "")
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", first))
    text = " ".join(text.split())
    return text if len(text) <= INTRO_MAX else text[:INTRO_MAX - 1].rstrip() + "…"


def refusal(survey: Survey, now: datetime) -> str | None:
    """Why invitations cannot go out for ``survey`` now (a code), or None."""
    if survey.status == "draft":
        return "survey_draft"
    if survey.status == "archived":
        return "survey_archived"
    if survey.closes_at <= now:
        return "survey_closed"
    return None


def _check(survey: Survey, now: datetime) -> None:
    code = refusal(survey, now)
    if code is not None:
        db.session.rollback()
        raise InvitationError(code)


def rally_shops(rally_id: int | None) -> list[Shop]:
    """The shops of the rally's active stations, by name."""
    if rally_id is None:
        return []
    return [station.shop for station in active_stations(rally_id)]


def shopkeepers(shop_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active shopkeeper accounts of each shop, by address."""
    found: dict[int, list[User]] = {}
    ids = list(shop_ids)
    if not ids:
        return found
    query = (select(User).where(User.role == "shopkeeper", User.active.is_(True),
                                User.shop_id.in_(ids)).order_by(User.email))
    for user in db.session.scalars(query):
        if user.shop_id is not None:  # always, for shopkeepers (CHECK)
            found.setdefault(user.shop_id, []).append(user)
    return found


def respondents_by_shop(survey_id: int) -> dict[int, SurveyRespondent]:
    """The survey's shop respondents by shop id."""
    query = select(SurveyRespondent).where(SurveyRespondent.survey_id == survey_id,
                                           SurveyRespondent.shop_id.is_not(None))
    return {r.shop_id: r for r in db.session.scalars(query) if r.shop_id is not None}


def invitation_rows(survey: Survey, rally_id: int | None) -> list[ShopInvitation]:
    """Every shop of the rally with its link, accounts and answer state (reads only)."""
    shops = rally_shops(rally_id)
    respondents = respondents_by_shop(survey.id)
    accounts = shopkeepers(shop.id for shop in shops)
    answered = set(db.session.scalars(
        select(SurveyRespondent.id).where(
            SurveyRespondent.survey_id == survey.id,
            exists().where(SurveyAnswer.respondent_id == SurveyRespondent.id))))
    rows = []
    for shop in shops:
        respondent = respondents.get(shop.id)
        rows.append(ShopInvitation(
            shop=shop, respondent=respondent, accounts=accounts.get(shop.id, []),
            has_answers=respondent is not None and respondent.id in answered))
    return rows


def _chosen_shops(rally_id: int | None, shop_id: int | None) -> list[Shop]:
    """The rally's shops, or just the one named (else ``unknown_shop``)."""
    shops = rally_shops(rally_id)
    if shop_id is None:
        return shops
    chosen = [shop for shop in shops if shop.id == shop_id]
    if not chosen:
        db.session.rollback()
        raise InvitationError("unknown_shop")
    return chosen


def _new_respondent(survey: Survey, shop: Shop, now: datetime) -> SurveyRespondent:
    _token, token_hash = issue_token()  # the token is dropped: this link is never shown
    respondent = SurveyRespondent(survey_id=survey.id, shop_id=shop.id, token_hash=token_hash,
                                  company=shop.name, category=shop.category, created_at=now)
    db.session.add(respondent)
    return respondent


def _flush_new() -> None:
    """Write the new respondents; a concurrent "Links anlegen" makes this ``busy``."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise InvitationError("busy") from error


def create_links(survey_id: int, rally_id: int | None, *, now: datetime,
                 actor_id: int | None) -> int:
    """Give every shop of the rally without a link its respondent; return how many."""
    begin_write()
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        db.session.rollback()
        raise InvitationError("unknown_survey")
    _check(survey, now)
    have = respondents_by_shop(survey.id)
    created = [_new_respondent(survey, shop, now) for shop in rally_shops(rally_id)
               if shop.id not in have]
    _flush_new()
    audit(now, actor_id, "survey.links_created", f"survey:{survey.id}", count=len(created))
    db.session.commit()
    return len(created)


def _reissue(survey: Survey, shops: list[Shop], now: datetime) -> dict[int, str]:
    """A fresh token for each shop's respondent (created if missing), sent now; the
    tokens by shop id. The old links stop working."""
    have = respondents_by_shop(survey.id)
    tokens = {}
    for shop in shops:
        respondent = have.get(shop.id) or _new_respondent(survey, shop, now)
        token, token_hash = issue_token()
        respondent.token_hash = token_hash
        respondent.sent_at = now
        tokens[shop.id] = token
    _flush_new()
    return tokens


def _survey_for_action(survey_id: int, now: datetime) -> Survey:
    begin_write()
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        db.session.rollback()
        raise InvitationError("unknown_survey")
    _check(survey, now)
    return survey


def mail_invitations(survey_id: int, rally_id: int | None, *, shop_id: int | None = None,
                     now: datetime, actor_id: int | None) -> MailReport:
    """Mail the personal link to every shopkeeper account of the rally's shops (or of
    the one shop), through the outbox; shops without an account are reported."""
    survey = _survey_for_action(survey_id, now)
    shops = _chosen_shops(rally_id, shop_id)
    accounts = shopkeepers(shop.id for shop in shops)
    report = MailReport(without_account=[shop for shop in shops if shop.id not in accounts])
    reachable = [shop for shop in shops if shop.id in accounts]
    base = check_base_url(str(current_app.config["BASE_URL"]))
    tokens = _reissue(survey, reachable, now)
    # The office writes to the shops in German, whatever language staff browse in.
    with force_locale("de"):
        subject = _("Umfrage des Innenstadtbüros: %(title)s", title=survey.title)
        anonymity = anonymity_statement(survey)
    for shop in reachable:
        link = base + answer_path(tokens[shop.id])
        for user in accounts[shop.id]:
            queue_mail(kind="survey_invitation", to=user.email, subject=subject,
                       template="survey_invitation", language="de", now=now,
                       context={"survey": survey, "shop_name": shop.name, "link": link,
                                "intro": intro_paragraph(survey), "anonymity": anonymity})
            report.mails += 1
        report.shops += 1
    audit(now, actor_id, "survey.invitations_mailed", f"survey:{survey.id}",
          shops=report.shops, mails=report.mails, shop_id=shop_id,
          without_account=len(report.without_account))
    db.session.commit()
    return report


# ---------------------------------------------------------------------------
# Printed letters
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """Everything printed on one shop's letter."""

    shop_name: str
    shop_address: str
    title: str
    intro: str
    closes: str
    anonymity: str
    url: str
    office_lines: tuple[str, str]


def draw_letter(pdf: PosterPDF, letter: Letter) -> None:
    """Lay out one letter on a new A4 page."""
    pdf.add_page()
    width = PAPER["a4"][0]
    pdf.set_fill_color(*RED)
    pdf.rect(0, 0, pdf.w, 24, style="F")
    draw_emblem(pdf, x=12, y=3, size=18)
    pdf.text_line(8, letter.office_lines[0], 13, bold=True, colour=(255, 255, 255), x=36,
                  width=width - 46, align=Align.L)

    y = pdf.text_line(34, letter.shop_name, 12, bold=True, x=20, align=Align.L)
    y = pdf.text_line(y, letter.shop_address, 12, x=20, align=Align.L)
    y = pdf.text_line(y + 10, letter.title, 20, bold=True, colour=RED, x=20, align=Align.L)
    y = pdf.text_line(y + 4, _("Guten Tag,"), 12, x=20, align=Align.L)
    if letter.intro:
        y = pdf.text_line(y + 2, letter.intro, 12, x=20, align=Align.L)
    y = pdf.text_line(y + 3, _("Ihre Antworten helfen dem Innenstadtbüro, die Innenstadt "
                               "gemeinsam mit Ihnen passend weiterzuentwickeln."), 12, x=20,
                      align=Align.L)
    y = pdf.text_line(y + 3, _("Sie können bis %(date)s antworten und Ihre Antworten bis "
                               "dahin ändern.", date=letter.closes), 12, bold=True, x=20,
                      align=Align.L)
    y = pdf.text_line(y + 3, letter.anonymity, 12, x=20, align=Align.L)

    qr_top = y + 10
    pdf.image(io.BytesIO(print_svg(letter.url)), x=(width - LETTER_QR_WIDTH) / 2, y=qr_top,
              w=LETTER_QR_WIDTH, h=LETTER_QR_WIDTH)
    y = qr_top + LETTER_QR_WIDTH + 2
    y = pdf.text_line(y, _("Mit dem Handy den QR-Code scannen oder diese Adresse eintippen:"),
                      11, colour=MUTED, x=20)
    y = pdf.text_line(y + 1, letter.url, 11, bold=True, x=14)
    pdf.text_line(y + 3, _("Dieser Link gehört nur Ihrem Geschäft. Ein neuer Brief oder eine "
                           "neue Mail ersetzt den alten Link."), 10, colour=MUTED, x=20)

    pdf.set_fill_color(*INK)
    pdf.rect(0, FOOTER_TOP, pdf.w, 26, style="F")
    y = FOOTER_TOP + 5
    pdf.text_line(y, _("Fragen? Wir helfen gern:"), 10, colour=(255, 255, 255), x=10)
    for line in letter.office_lines[1:]:
        y = pdf.text_line(y + 5, line, 10, colour=(255, 255, 255), x=10)


def letters_pdf(letters: list[Letter]) -> bytes:
    """One A4 PDF with a page per letter."""
    pdf = PosterPDF("a4")
    pdf.set_title(_("Umfrage: Briefe"))
    for letter in letters:
        draw_letter(pdf, letter)
    return bytes(pdf.output())


def print_letters(survey_id: int, rally_id: int | None, *, shop_id: int | None = None,
                  now: datetime, actor_id: int | None) -> bytes:
    """The letters of the rally's shops (or of the one shop) as a PDF, each with a fresh
    personal link: the links printed before stop working."""
    survey = _survey_for_action(survey_id, now)
    shops = _chosen_shops(rally_id, shop_id)
    if not shops:
        db.session.rollback()
        raise InvitationError("unknown_shop")
    office = current_app.config["OFFICE"]
    base = check_base_url(str(current_app.config["BASE_URL"]))
    tokens = _reissue(survey, shops, now)
    with force_locale("de"):
        office_lines = (
            f"{office['name']} {office['city']}",
            f"{office['street']}, {office['postcode']} {office['city']} · "
            f"{_('Telefon')} {office['phone']} · {office['email']}")
        letters = [Letter(
            shop_name=shop.name, shop_address=f"{shop.street}, {shop.postcode} {shop.city}",
            title=survey.title, intro=intro_paragraph(survey),
            closes=moment(survey.closes_at, "datetime"), anonymity=anonymity_statement(survey),
            url=base + answer_path(tokens[shop.id]), office_lines=office_lines)
            for shop in shops]
        data = letters_pdf(letters)
    audit(now, actor_id, "survey.letters_printed", f"survey:{survey.id}", shops=len(shops),
          shop_id=shop_id)
    db.session.commit()
    return data
