"""Security headers on every response, error pages included."""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, request

from .extensions import csrf

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # Scan tokens and recovery links live in URLs: never hand them to another site. The
    # site's own pages do get the Referer: Flask-WTF's HTTPS check requires it on POSTs.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


class SecurityHeaders:
    """WSGI middleware that adds CSP, nosniff, referrer and framing rules to every
    response, and HSTS when the app's ``PRODUCTION`` setting is on.

    A response that sets one of these headers itself keeps its own. Added where the
    response leaves the app rather than in an ``after_request`` hook: there, werkzeug
    checked each header value for line breaks when it was set and again when it copied
    the headers out, and the six constant headers cost about 12 µs on every page, a
    sixth of a trivial page's whole time. Here they are added as they are: constants
    without line breaks (a test checks that werkzeug would accept them).
    """

    def __init__(self, wsgi_app: "WSGIApplication", config: dict[str, Any]) -> None:
        self.wsgi_app = wsgi_app
        self.config = config  # the app's config: PRODUCTION is read on each response
        self.plain = [(name.lower(), (name, value)) for name, value in HEADERS]
        self.production = [*self.plain, (HSTS[0].lower(), HSTS)]

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        wanted = self.production if self.config["PRODUCTION"] else self.plain

        def start_with_headers(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            present = {name.lower() for name, _value in headers}
            headers.extend(header for name, header in wanted if name not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def protect_unsafe_methods() -> None:
    """Flask-WTF's CSRF check, for requests that can change something.

    Flask-WTF's own hook (``WTF_CSRF_CHECK_DEFAULT``) first looks up the view and its
    exemptions and only then the method, which cost about 8 µs on every GET. This hook
    asks the method first and then calls the same check with the same exemptions
    (``protect(apply_exemptions=True)``, Flask-WTF's documented way to run it from a hook
    of one's own).
    """
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    """Check CSRF tokens from this module's hook; add the headers to every response.

    Called before the blueprints register theirs, so that the CSRF check stays the first
    hook of every request, where Flask-WTF's own one was.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # Flask-WTF's hook: replaced by ours
    app.before_request(protect_unsafe_methods)
    app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)  # type: ignore[method-assign]
