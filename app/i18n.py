"""The public site's languages: German (the source), English and Turkish.

A visitor's language is the one they chose with the header's switch (a cookie that
exists only after that choice), else the best match of the browser's
``Accept-Language``, else German. The back office and everything without a request
(``outbox send``, ``purge``, the CLI) speak German unless a caller forces a language
with :func:`flask_babel.force_locale`, e.g. for the language a person booked in.
"""

from datetime import timedelta

from babel import Locale
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    has_request_context,
    redirect,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from .models import LANGUAGES

LOCALES = {code: Locale.parse(code) for code in LANGUAGES}
GERMAN = LOCALES["de"]
# The switch's cookie: named on the Datenschutz page; set only when a visitor chooses.
COOKIE = "sprache"
COOKIE_MAX_AGE = timedelta(days=365)
# Each language's name in itself, for the switch.
NAMES = {"de": "Deutsch", "en": "English", "tr": "Türkçe"}
# Blueprints that always speak German: the staff's back office.
GERMAN_ONLY = frozenset({"backoffice"})

bp = Blueprint("language", __name__)


def visitor_language() -> str:
    """The language code of the current request (see the module's docstring)."""
    if not has_request_context() or request.blueprint in GERMAN_ONLY:
        return "de"
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="de") or "de"


def select_locale() -> Locale:
    """Flask-Babel's locale selector; a parsed Locale (a string is parsed again on every
    request, which cost more than a page's database reads)."""
    return LOCALES[visitor_language()]


@bp.get("/sprache/<code>")
def choose(code: str) -> BaseResponse:
    """The header's switch: remember the choice and go back to the page it came from.

    Only a cookie changes (the visitor's own preference); nothing is stored here.
    """
    from .auth.routes import safe_next

    target = safe_next(request.args.get("next")) or url_for("office.home")
    response = redirect(target, code=303)
    if code in LOCALES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True,
                            samesite="Lax", secure=current_app.config["PRODUCTION"])
    return response


def vary_on_language(response: Response) -> Response:
    """Pages differ by the browser's languages and the switch's cookie: tell caches."""
    if response.mimetype == "text/html" and request.blueprint not in GERMAN_ONLY:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_app(app: Flask) -> None:
    """Register the switch and the ``Vary`` header."""
    app.register_blueprint(bp)
    app.after_request(vary_on_language)
    app.jinja_env.globals["language_names"] = NAMES
    # For the Datenschutz page, which names the cookie and how long it lasts.
    app.jinja_env.globals["language_cookie"] = COOKIE
    app.jinja_env.globals["language_cookie_days"] = COOKIE_MAX_AGE.days
