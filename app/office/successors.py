"""The Nachfolgebörse in public: the published profiles with filters, one profile with
the inquiry form to the office, and the thank-you page.

Profiles are anonymous: these views hand templates the profile's public fields only
(:func:`public_view`), never the owner's contact or the office's note. A draft is
unknown (404); a retired profile says it is no longer available (410).
"""

from dataclasses import dataclass

from flask import abort, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from ..extensions import limiter
from ..models import SuccessorProfile
from ..security import no_store
from ..services import successors as service
from ..services.content import render_markdown
from ..services.successors import (
    AREA_LABELS,
    EMPLOYEE_LABELS,
    SALES_AREA_LABELS,
    SECTOR_LABELS,
    TIMELINE_LABELS,
)
from . import bp
from .inquiry_forms import InquiryForm, answer_inquiry

# Field and German text of each refusal of the form.


@dataclass(frozen=True)
class PublicProfile:
    """What the public may see of a profile: no owner, no note."""

    code: str
    title: str
    sector: str
    employees: str
    sales_area: str
    area: str
    timeline: str
    description: Markup


def public_view(profile: SuccessorProfile) -> PublicProfile:
    """The profile's public fields, with its description rendered (sanitised)."""
    return PublicProfile(code=profile.code, title=profile.title, sector=profile.sector,
                         employees=profile.employees, sales_area=profile.sales_area,
                         area=profile.area, timeline=profile.timeline,
                         description=render_markdown(profile.description))


def inquiry_limit() -> str:
    """The configured limit for inquiries (per address)."""
    return str(current_app.config["RATELIMIT_INQUIRY"])


def labels() -> dict[str, object]:
    return {"sector_labels": SECTOR_LABELS, "area_labels": AREA_LABELS,
            "employee_labels": EMPLOYEE_LABELS, "sales_area_labels": SALES_AREA_LABELS,
            "timeline_labels": TIMELINE_LABELS}


def filter_value(name: str, known: dict[str, object]) -> str | None:
    """The key a filter parameter names (404 for an unknown one), or None."""
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in known:
        abort(404)
    return value


@bp.get("/nachfolge")
def successors() -> str:
    """The published profiles, by sector and area when chosen."""
    sector = filter_value("branche", SECTOR_LABELS)
    area = filter_value("lage", AREA_LABELS)
    profiles = [public_view(p) for p in service.published(sector=sector, area=area)]
    return render_template("office/successors/index.html", profiles=profiles,
                           sector=sector, area=area, **labels())


def profile_or_abort(code: str) -> SuccessorProfile:
    """The published profile with ``code``; 410 for a retired one, 404 otherwise."""
    profile = service.by_code(code)
    if profile is None or profile.status == "draft":
        abort(404)
    if profile.status == "retired":
        abort(BaseResponse(render_template("office/successors/gone.html", code=profile.code),
                           status=410, content_type="text/html; charset=utf-8"))
    return profile


def profile_page(profile: SuccessorProfile, form: InquiryForm) -> str:
    return render_template("office/successors/show.html", profile=public_view(profile),
                           form=form, **labels())


@bp.route("/nachfolge/<code>", methods=["GET", "POST"])
@limiter.limit(inquiry_limit, methods=["POST"])
@no_store
def successor(code: str) -> BaseResponse | tuple[str, int] | str:
    """One profile; its POST sends an inquiry to the office. Not cached: the form carries
    the session's CSRF token."""
    profile = profile_or_abort(code)
    return answer_inquiry(
        "successor", profile.id, lambda form: profile_page(profile, form),
        url_for("office.successor_thanks", code=profile.code))


@bp.get("/nachfolge/<code>/danke")
def successor_thanks(code: str) -> str:
    """The thank-you page after an inquiry (it shows nothing of the person)."""
    profile = profile_or_abort(code)
    return render_template("office/successors/thanks.html", profile=public_view(profile))
