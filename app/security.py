"""Security headers on every response, error pages included."""

from flask import Flask, Response, current_app

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
    # Scan tokens and recovery links live in URLs: never hand them to another site.
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def add_security_headers(response: Response) -> Response:
    """Attach CSP, nosniff, referrer and framing rules, and HSTS in production.

    A view that set one of them itself keeps its own. (Looked up in one pass: werkzeug's
    ``setdefault`` raises and catches a KeyError for each missing header.)
    """
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers, not dict)
    wanted = (*HEADERS, HSTS) if current_app.config["PRODUCTION"] else HEADERS
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_security_headers)
