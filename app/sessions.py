"""Flask's signed-cookie sessions: the signing serializer built once per key set, its
signer and derived keys made once, and small sessions signed without a zlib attempt."""

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import Signer

# Payloads shorter than this are signed as they are, without trying zlib first.
COMPRESS_FROM_BYTES = 256


class KeyKeepingSigner(TimestampSigner):
    """itsdangerous' timestamp signer, deriving the key of each secret once.

    The derived key (an HMAC of the salt under the secret) depends on nothing else, yet
    was computed anew for every signature made and checked.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """The derived key of ``secret_key`` (the newest secret by default), remembered."""
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(secret)
        if derived is None:
            derived = self._derived[secret] = super().derive_key(secret)
        return derived


class CookieSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, minus zlib on payloads too small to shrink.

    itsdangerous compresses every payload and keeps the result if it is shorter. A
    visitor's session (a CSRF token) is under a hundred bytes and never shrinks, yet the
    attempt cost about 12 µs on each page that sets the cookie: a third of the signing.
    Larger payloads are still compressed as before, and reading is itsdangerous' own, so
    cookies of either kind open with this class and with Flask's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Signer] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """itsdangerous' signer for ``salt``, made once: it holds only the keys and the salt
        (a new serializer is made when the keys change, see :class:`SessionInterface`)."""
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj: Any) -> bytes:
        """Small payloads as plain base64; larger ones as itsdangerous writes them."""
        json = want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))
        if len(json) < COMPRESS_FROM_BYTES:
            return base64_encode(json)
        return super().dump_payload(obj)  # compressed if that is shorter


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
            serializer = self._make_serializer(app)
            self._made = (keys, serializer)
        return serializer

    def _make_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer (keys, salt, JSON tags, signer), as a :class:`CookieSerializer`."""
        flask_made = super().get_signing_serializer(app)
        if flask_made is None:
            return None
        return CookieSerializer(
            flask_made.secret_keys,
            salt=flask_made.salt,
            serializer=flask_made.serializer,
            signer=KeyKeepingSigner,
            signer_kwargs=flask_made.signer_kwargs,
            serializer_kwargs=flask_made.serializer_kwargs,
        )


def init_app(app: Flask) -> None:
    """Use the caching session interface."""
    app.session_interface = SessionInterface()
