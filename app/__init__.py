"""Innenstadt-Rallye: the Flask application factory."""

import logging
import os
from functools import partial
from typing import Any

from babel import Locale
from flask import Flask
from flask.logging import default_handler
from flask_limiter import Limiter
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config

# ensure_sync answers remembered per app; more distinct callables than this are not kept.
SYNC_MEMO_SIZE = 1024


class RallyeFlask(Flask):
    """Flask, with its per-call check for ``async def`` remembered per callable.

    Flask asks ``ensure_sync`` about the view and every hook on each request (a dozen
    here), and each answer runs ``inspect.iscoroutinefunction``: about 10 µs a request in
    all. A function's answer never changes, so it is looked up once. Callables that are
    unhashable, or beyond ``SYNC_MEMO_SIZE`` distinct ones, are checked each time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_memo: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        """Flask's answer for ``func``, remembered."""
        try:
            return self._sync_memo[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(self._sync_memo) < SYNC_MEMO_SIZE:
                self._sync_memo[func] = made
            return made
        except TypeError:  # unhashable
            return super().ensure_sync(func)


# Flask-Limiter's private hooks (name-mangled). Should a release rename them, nothing is
# dropped (pages only get slower) and a test in test_app_factory.py says so.
INJECT_HEADERS = vars(Limiter).get("_Limiter__inject_headers")
RELEASE_CONTEXT = "_Limiter__release_context"


def _drop_limiter_response_hooks(app: Flask) -> None:
    """Remove Flask-Limiter's after-request and teardown hooks, which this app does not need.

    The after-request hook writes the X-RateLimit headers (switched off here) and makes the
    conditional deductions of limits that count only some responses (none here; a test
    keeps it so); the teardown hook empties the limiter's per-request state, which is kept
    on the request context and ends with it. Both ran on every page, limited or not.
    """
    from .extensions import limiter

    after = app.after_request_funcs.get(None, [])
    after[:] = [
        hook for hook in after
        if not (INJECT_HEADERS is not None and isinstance(hook, partial)
                and hook.args == (limiter,) and hook.func is INJECT_HEADERS)
    ]
    teardown = app.teardown_request_funcs.get(None, [])
    release = getattr(limiter, RELEASE_CONTEXT, None)
    if release is not None and release in teardown:
        teardown.remove(release)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application.

    ``test_config`` replaces the instance file and the environment, so tests never pick
    up a developer's local settings.
    """
    # INSTANCE_PATH moves config, secret key, SQLite file and demo login elsewhere
    # (tests, benchmarks, containers); the default is ./instance next to the package.
    app = RallyeFlask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
    )
    config.load(app, test_config)

    from . import db as _db  # noqa: F401  (registers the SQLite engine events)
    from . import memorylimits
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    # Before the limiter makes its in-memory storage: see app/memorylimits.py.
    memorylimits.install()
    limiter.init_app(app)
    # Every limit of this app is declared on its view (``@limiter.limit``), and such a
    # view checks its limits itself when called. Flask-Limiter also checks on every
    # request, for default and application-wide limits, which this app has none of; that
    # hook cost about 70 µs on each page, more than a third of the app's own overhead.
    # (With RATELIMIT_ENABLED off, Flask-Limiter registers no hook at all.)
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)
    if not app.config["RATELIMIT_HEADERS_ENABLED"]:
        _drop_limiter_response_hooks(app)
    # Flask-Limiter reports an unreachable storage (and its fallback) on its own logger,
    # which has no handler of its own: send it where the app's log goes.
    limiter_log = logging.getLogger("flask-limiter")
    if default_handler not in limiter_log.handlers:
        limiter_log.addHandler(default_handler)
    # The site speaks German. A Locale rather than "de": Flask-Babel parses a string
    # again on every request, which cost more than a page's database reads.
    german = Locale.parse("de")
    babel.init_app(app, locale_selector=lambda: german)
    # Templates get ``current_user`` as a global: the proxy is resolved only where a
    # template asks (staff pages). Flask-Login's context processor resolved it for every
    # page, which cost a visitor about 36 µs (session protection hashes the client's
    # address and browser on each load).
    login_manager.init_app(app, add_context_processor=False)
    app.jinja_env.globals["current_user"] = current_user

    if hops := int(app.config.get("PROXY_FIX_X_FOR", 0)):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from . import auth, cli, control_characters, errors, prepared, security, sessions, templating
    from .api import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .backoffice import bp as backoffice_bp
    from .office import bp as office_bp
    from .rally import bp as rally_bp

    sessions.init_app(app)
    prepared.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    control_characters.init_app(app)  # before the blueprints: it replaces their converter
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    app.register_blueprint(office_bp)
    app.register_blueprint(rally_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(backoffice_bp)
    return app
