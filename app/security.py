"""Security headers on every response, error pages included."""

import io
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, send_file

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        # The card offline: the service worker (/sw.js) and the web app manifest.
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Scan tokens and recovery links live in URLs: never hand them to another site. The
    # site's own pages do get the Referer: Flask-WTF's HTTPS check requires it on POSTs.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=63072000; includeSubDomains"
NO_STORE = "no-store"

View = TypeVar("View", bound=Callable[..., Any])


def no_store(view: View) -> View:
    """Mark a view whose answer must never be kept by a browser or proxy: it shows a
    card, a recovery link (a bearer credential) or staff data."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.no_store = True
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def mark_no_store() -> None:
    """``before_request`` form of :func:`no_store`, for whole blueprints."""
    g.no_store = True


def private_download(data: bytes, mimetype: str, name: str) -> Response:
    """A file download that no cache keeps: posters and QR codes carry the stations'
    secret tokens."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = NO_STORE
    return response


def add_headers(response: Response) -> Response:
    """CSP, nosniff, referrer and framing rules on every response, HSTS in production,
    and ``Cache-Control: no-store`` where the view asked for it. A header the response
    sets itself is kept."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["PRODUCTION"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if g.get("no_store"):
        response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response the app makes."""
    app.after_request(add_headers)
