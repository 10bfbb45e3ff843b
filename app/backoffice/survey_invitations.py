"""A survey's invitations in the back office: the rally's shops with their personal
links, "Links anlegen", "Per E-Mail senden" (all shops or one) and the printed letters.

Staff and admins only (``staff_required``). The letters carry fresh personal links, so
they are made by a POST (a GET changes nothing). The domain work, and its audit, is in
app.services.survey_invitations.
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Rally, Survey
from ..security import private_download
from ..services import survey_invitations as service
from ..services.qr import QRError
from ..services.survey_invitations import InvitationError
from . import bp
from .forms import ButtonForm
from .routes import actor_id, chosen_rally, now

MESSAGES = {
    "survey_draft": _l("Die Umfrage ist noch ein Entwurf. Einladungen gibt es, sobald sie "
                       "veröffentlicht ist."),
    "survey_archived": _l("Die Umfrage ist archiviert. Einladungen gehen nicht mehr hinaus."),
    "survey_closed": _l("Die Umfrage ist abgelaufen. Einladungen gehen nicht mehr hinaus."),
    "unknown_shop": _l("Dieses Geschäft nimmt nicht an der gewählten Rallye teil."),
    "unknown_survey": _l("Diese Umfrage gibt es nicht."),
    "busy": _l("Gerade hat jemand anderes Links angelegt. Bitte laden Sie die Seite neu "
               "und versuchen Sie es noch einmal."),
    "bad_form": _l("Das Formular war nicht mehr gültig. Bitte versuchen Sie es noch einmal."),
    "bad_shop": _l("Bitte wählen Sie ein Geschäft aus der Liste."),
    "bad_base_url": _l("Die Adresse der Seite (BASE_URL) ist falsch eingestellt; bitte wenden "
                       "Sie sich an die Technik."),
}
STATUS = {"survey_draft": 409, "survey_archived": 409, "survey_closed": 409, "busy": 409,
          "unknown_survey": 404, "bad_base_url": 500}
ANSWER_LABELS = {"none": _l("kein Link"), "open": _l("noch nicht"),
                 "draft": _l("angefangen (Entwurf)"), "submitted": _l("abgeschickt")}


def invitations_url(survey: Survey, rally: Rally | None) -> str:
    """The invitations page, for the rally being looked at."""
    return url_for("backoffice.survey_invitations", survey_id=survey.id,
                   rally=rally.slug if rally else None)


def page(survey: Survey, rally: Rally | None, *, error: str | None = None,
         status: int = 200) -> tuple[str, int]:
    """The invitations page, with a refusal's message when there is one."""
    rows = service.invitation_rows(survey, rally.id if rally else None)
    counts: dict[str, Any] = {
        "shops": len(rows), "links": sum(1 for r in rows if r.respondent is not None),
        "sent": sum(1 for r in rows if r.respondent and r.respondent.sent_at),
        "submitted": sum(1 for r in rows if r.answer_state == "submitted"),
        "without_account": sum(1 for r in rows if not r.accounts),
    }
    return render_template(
        "backoffice/surveys/invitations.html", survey=survey, rally=rally, rows=rows,
        counts=counts, refusal=service.refusal(survey, now()), messages=MESSAGES,
        answer_labels=ANSWER_LABELS, error=error, button=ButtonForm(),
        action_args={"survey_id": survey.id, "rally": rally.slug if rally else None},
    ), status


def refused(survey: Survey, rally: Rally | None, code: str) -> tuple[str, int]:
    """The page again with the German reason; 4xx (a wrong BASE_URL is the server's)."""
    return page(survey, rally, error=str(MESSAGES.get(code, code)),
                status=STATUS.get(code, 400))


def chosen_shop() -> tuple[bool, int | None]:
    """Whether the form's ``shop`` is well formed, and its id (None: all shops)."""
    raw = request.form.get("shop", "").strip()
    if not raw:
        return True, None
    if raw.isdigit() and len(raw) < 10:
        return True, int(raw)
    return False, None


@bp.get("/umfragen/<int:survey_id>/einladungen")
@staff_required
def survey_invitations(survey_id: int) -> tuple[str, int]:
    """The rally's shops: link created, mailed, answered; the actions (reads only)."""
    survey = db.get_or_404(Survey, survey_id)
    return page(survey, chosen_rally())


@bp.post("/umfragen/<int:survey_id>/einladungen/links")
@staff_required
def survey_links_create(survey_id: int) -> BaseResponse | tuple[str, int]:
    """Create a personal link for every shop of the rally that has none."""
    survey = db.get_or_404(Survey, survey_id)
    rally = chosen_rally()
    if not ButtonForm().validate_on_submit():
        return refused(survey, rally, "bad_form")
    try:
        created = service.create_links(survey.id, rally.id if rally else None, now=now(),
                                       actor_id=actor_id())
    except InvitationError as error:
        return refused(survey, rally, error.code)
    flash(ngettext("%(num)d Link angelegt.", "%(num)d Links angelegt.", created)
          if created else _("Jedes Geschäft hat schon seinen Link."), "success")
    return redirect(invitations_url(survey, rally), code=303)


@bp.post("/umfragen/<int:survey_id>/einladungen/mail")
@staff_required
def survey_invitations_mail(survey_id: int) -> BaseResponse | tuple[str, int]:
    """Mail the personal link to the shops' accounts (all shops, or ``shop``)."""
    survey = db.get_or_404(Survey, survey_id)
    rally = chosen_rally()
    well_formed, shop = chosen_shop()
    if not ButtonForm().validate_on_submit():
        return refused(survey, rally, "bad_form")
    if not well_formed:
        return refused(survey, rally, "bad_shop")
    try:
        report = service.mail_invitations(
            survey.id, rally.id if rally else None, shop_id=shop,
            now=now(), actor_id=actor_id())
    except (InvitationError, QRError) as error:
        return refused(survey, rally, error.code)
    if report.mails:
        flash(ngettext("%(num)d E-Mail geht hinaus.", "%(num)d E-Mails gehen hinaus.",
                       report.mails), "success")
    if report.without_account:
        names = ", ".join(s.name for s in report.without_account)
        flash(_("Ohne Konto – bitte Brief drucken: %(names)s", names=names), "error")
    return redirect(invitations_url(survey, rally), code=303)


@bp.post("/umfragen/<int:survey_id>/einladungen/briefe.pdf")
@staff_required
def survey_letters(survey_id: int) -> BaseResponse | tuple[str, int]:
    """The letters (A4 PDF, a page per shop) with fresh personal links: a POST, since
    printing replaces the links sent before."""
    survey = db.get_or_404(Survey, survey_id)
    rally = chosen_rally()
    well_formed, shop = chosen_shop()
    if not ButtonForm().validate_on_submit():
        return refused(survey, rally, "bad_form")
    if not well_formed:
        return refused(survey, rally, "bad_shop")
    try:
        data = service.print_letters(survey.id, rally.id if rally else None,
                                     shop_id=shop,
                                     now=now(), actor_id=actor_id())
    except (InvitationError, QRError) as error:
        return refused(survey, rally, error.code)
    name = f"umfrage-{survey.slug}-briefe.pdf" if shop is None \
        else f"umfrage-{survey.slug}-brief-{shop}.pdf"
    return private_download(data, "application/pdf", name)
