"""Flask's signed-cookie sessions, with the signing serializer built once per key set."""

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    """The default session interface, minus rebuilding its serializer per request.

    Flask builds a new ``URLSafeTimedSerializer`` to open and again to save each session:
    about 16 µs each time, on every request, even without a session cookie. The
    serializer holds no state between calls, so one per key set serves every thread. The
    keys (``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``) are compared on each call, so a
    rotated key takes effect at once, as it does with Flask's own interface.
    """

    def __init__(self) -> None:
        # (keys, serializer) in one tuple, so a thread never pairs new keys with an old one.
        self._made: tuple[Any, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current keys, made on first use."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made_for, serializer = self._made
        if made_for != keys:
            serializer = super().get_signing_serializer(app)
            self._made = (keys, serializer)
        return serializer


def init_app(app: Flask) -> None:
    """Use the caching session interface."""
    app.session_interface = SessionInterface()
