"""German error pages that roll the session back and show no internals."""

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .audience import addresses_formally
from .extensions import db

log = logging.getLogger(__name__)

# status → (title, explanation); anything else falls back to the status's group.
MESSAGES = {
    400: (
        _l("Das hat nicht geklappt"),
        _l("Die Anfrage war unvollständig oder fehlerhaft. Bitte lade die Seite neu und "
           "versuche es noch einmal."),
    ),
    403: (_l("Kein Zugriff"), _l("Diese Seite ist für dich nicht freigegeben.")),
    404: (
        _l("Seite nicht gefunden"),
        _l("Diese Adresse gibt es bei uns nicht (mehr). Vielleicht hilft dir die "
           "Startseite oder die Liste der Geschäfte weiter."),
    ),
    405: (_l("Das geht so nicht"), _l("Diese Seite kann so nicht aufgerufen werden.")),
    410: (_l("Nicht mehr gültig"), _l("Diese Adresse gilt nicht mehr.")),
    413: (_l("Zu viele Daten"), _l("Die gesendeten Daten sind zu groß.")),
    429: (
        _l("Kurz durchatmen"),
        _l("Von hier kamen gerade sehr viele Anfragen. Bitte warte eine Minute und "
           "versuche es dann noch einmal."),
    ),
    500: (
        _l("Da ist bei uns etwas schiefgegangen"),
        _l("Das liegt nicht an dir. Bitte versuche es gleich noch einmal. Deine Stempel "
           "sind sicher gespeichert."),
    ),
}
CSRF_MESSAGE = (
    _l("Sitzung abgelaufen"),
    _l("Das Formular war zu alt oder unvollständig. Bitte lade die Seite neu und tippe "
       "noch einmal auf den Knopf."),
)
# The same for businesses and staff (back office, login, the office's services): "Sie".
FORMAL_MESSAGES = {
    400: (
        _l("Das hat nicht geklappt"),
        _l("Die Anfrage war unvollständig oder fehlerhaft. Bitte laden Sie die Seite neu und "
           "versuchen Sie es noch einmal."),
    ),
    403: (_l("Kein Zugriff"), _l("Diese Seite ist für Ihr Konto nicht freigegeben.")),
    404: (
        _l("Seite nicht gefunden"),
        _l("Diese Adresse gibt es bei uns nicht (mehr). Vielleicht hilft Ihnen die "
           "Startseite oder die Übersicht unserer Angebote weiter."),
    ),
    405: (_l("Das geht so nicht"), _l("Diese Seite kann so nicht aufgerufen werden.")),
    410: (_l("Nicht mehr gültig"), _l("Diese Adresse gilt nicht mehr.")),
    413: (_l("Zu viele Daten"), _l("Die gesendeten Daten sind zu groß.")),
    429: (
        _l("Kurz durchatmen"),
        _l("Von hier kamen gerade sehr viele Anfragen. Bitte warten Sie eine Minute und "
           "versuchen Sie es dann noch einmal."),
    ),
    500: (
        _l("Da ist bei uns etwas schiefgegangen"),
        _l("Das liegt nicht an Ihnen. Bitte versuchen Sie es gleich noch einmal. Was schon "
           "gespeichert war, bleibt gespeichert."),
    ),
}
FORMAL_CSRF_MESSAGE = (
    _l("Sitzung abgelaufen"),
    _l("Das Formular war zu alt oder unvollständig. Bitte laden Sie die Seite neu und "
       "senden Sie es noch einmal ab."),
)


def formal() -> bool:
    """Whether this request's page says "Sie" (see ``app.audience``)."""
    return addresses_formally(request.blueprint, request.path)


def wording(status: int) -> tuple[object, object]:
    """Title and explanation for ``status``, in "du" or "Sie" as the page's readers expect."""
    table = FORMAL_MESSAGES if formal() else MESSAGES
    return table.get(status, table[400 if status < 500 else 500])


# Stable codes of the JSON API's error bodies, by status.
API_CODES = {
    400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    410: "gone", 413: "too_large", 429: "too_many_requests", 500: "server_error",
}
API_PREFIX = "/api/"


def wants_json() -> bool:
    """Whether the request is one for the JSON API (known route or not)."""
    return request.path.startswith(API_PREFIX)


def render_error(
    status: int, title: object, message: object, error: HTTPException | None = None
) -> Response:
    """Roll back whatever the request started and answer with the German error page, or
    JSON for the API; headers the error carries (``Allow`` of a 405, ``Retry-After``)
    are kept."""
    db.session.rollback()
    if wants_json():
        code = API_CODES.get(status, "bad_request" if status < 500 else "server_error")
        response = jsonify(error=code, detail=str(message))
        response.status_code = status
    else:
        page = render_template("errors/error.html", status=status, title=title,
                               message=message, formal=formal())
        response = make_response(page, status)
    if error is not None:
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def handle_http_error(error: HTTPException) -> Response:
    """Map a werkzeug HTTP error onto our page; the status code stays."""
    status = error.code or 500
    if status == 403:
        # No path: it can hold a scan token or a recovery link.
        log.warning("403 at %s (%s)", request.endpoint, request.method)
    return render_error(status, *wording(status), error)


def handle_csrf_error(error: CSRFError) -> Response:
    """A missing or foreign CSRF token: 400 with an explanation the reader understands."""
    log.warning("CSRF refused at %s: %s", request.endpoint, error.description)
    return render_error(400, *(FORMAL_CSRF_MESSAGE if formal() else CSRF_MESSAGE))


def handle_untrusted_host(_error: SecurityError) -> tuple[str, int]:
    """A Host header outside TRUSTED_HOSTS: 400 with a page that builds no URL.

    Flask makes no URL adapter for such a request, so ``url_for`` (and the site's
    layout) would fail; the page links to BASE_URL instead.
    """
    db.session.rollback()
    return render_template("errors/untrusted_host.html"), 400


def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected exception (no request data) and show the 500 page."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error", exc_info=error)
    return render_error(500, *wording(500))


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
