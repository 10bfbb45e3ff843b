"""Innenstadt-Rallye: the Flask application factory."""

import logging
import os
from typing import Any

from flask import Flask
from flask.logging import default_handler
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application.

    ``test_config`` replaces the instance file and the environment, so tests never pick
    up a developer's local settings.
    """
    # INSTANCE_PATH moves config, secret key, SQLite file and demo login elsewhere
    # (tests, benchmarks, containers); the default is ./instance next to the package.
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSTANCE_PATH") or None,
    )
    config.load(app, test_config)

    from . import db as _db  # noqa: F401  (registers the SQLite engine events)
    from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    # Flask-Limiter reports an unreachable storage (and its fallback) on its own logger,
    # which has no handler of its own: send it where the app's log goes.
    limiter_log = logging.getLogger("flask-limiter")
    if default_handler not in limiter_log.handlers:
        limiter_log.addHandler(default_handler)
    from .i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    # Templates get ``current_user`` as a global: the proxy is resolved only where a
    # template asks (staff pages). Flask-Login's context processor resolved it for every
    # page, which cost a visitor about 36 µs (session protection hashes the client's
    # address and browser on each load).
    login_manager.init_app(app, add_context_processor=False)
    app.jinja_env.globals["current_user"] = current_user

    if hops := int(app.config.get("PROXY_FIX_X_FOR", 0)):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from . import auth, cli, control_characters, errors, i18n, id_converter, security, templating
    from .api import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .backoffice import bp as backoffice_bp
    from .office import bp as office_bp
    from .rally import bp as rally_bp
    from .services import mail
    from .shop import bp as shop_bp

    auth.init_app(app)
    security.init_app(app)
    control_characters.init_app(app)  # before the blueprints: it replaces their converter
    id_converter.init_app(app)  # likewise
    errors.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    mail.init_app(app)
    app.register_blueprint(office_bp)
    app.register_blueprint(rally_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(shop_bp)
    return app
