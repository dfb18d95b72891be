"""Waypoint: course booking for diversion and support programmes."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from config import DevelopmentConfig, ProductionConfig, config_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in a URL, but no larger than a database integer: a bigger one is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """A path segment, but never one holding a control character: that is a 404, not a NUL
    byte carried into a query (PostgreSQL refuses those with an error)."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        # Keep the length rule werkzeug built ("{1,}"), on a class without control characters.
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]", 1)


class SafePathConverter(PathConverter):
    """``<path:...>``, likewise without control characters."""

    regex = r"[^/\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*?"


def create_app(config_object: type | None = None, **overrides: object) -> Flask:
    """Build the app. No side effects: no migrations, prompts or network here."""
    config_object = config_object or config_from_environment()
    if config_object is ProductionConfig:
        ProductionConfig.check()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config_object)
    if config_object is ProductionConfig:
        app.config.update(ProductionConfig.from_environment())
    if config_object is DevelopmentConfig:
        app.config.update(DevelopmentConfig.from_environment())
    app.config.update(overrides)

    register_deployment(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.url_map.converters["path"] = SafePathConverter
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errors(app)
    register_jobs(app)
    register_commands(app)
    return app


def register_deployment(app: Flask) -> None:
    """Trust the proxies and host names the configuration names, and nothing else."""
    if app.config["ENFORCE_TRUSTED_HOSTS"] and app.config.get("TRUSTED_HOSTS") is None:
        public_host = urlsplit(app.config["PUBLIC_BASE_URL"]).hostname
        if not public_host:
            raise RuntimeError("PUBLIC_BASE_URL must be an absolute URL, e.g. https://example.org")
        # A request for any other Host is a 400 before any view runs.
        app.config["TRUSTED_HOSTS"] = [public_host, *app.config["EXTRA_TRUSTED_HOSTS"]]

        @app.errorhandler(SecurityError)
        def untrusted_host(error: SecurityError):
            # No URLs can be built for a host we do not serve, so no page with links either.
            return (
                "Bad request: this address is not served here.",
                400,
                {"Content-Type": "text/plain"},
            )

    hops = {
        name: app.config[f"PROXY_FIX_X_{name.upper()}"]
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(hops.values()):
        # Flask's documented way to add WSGI middleware replaces this method on the instance.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, **{f"x_{name}": n for name, n in hops.items()}
        )


def register_extensions(app: Flask) -> None:
    from booking.auth import sessions
    from booking.database import configure_engine
    from booking.extensions import csrf, db, limiter, login_manager, migrate
    from booking.web import security

    # Test each pooled connection before a request uses it: after a database restart or a
    # connection cut, a dead connection is replaced quietly instead of failing one request.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        if app.config.get("COUNT_QUERIES"):
            from booking.web import query_count

            query_count.install(app, db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to carry on."
    login_manager.login_message_category = "info"

    # The session version in the id lets sign-out and password changes end old sessions.
    login_manager.user_loader(sessions.load_user)

    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint is named after its folder, so an endpoint says where its view lives:
    ``staff.money.refund`` is in booking/staff/money/, ``account.bookings.cancel`` in
    booking/account/bookings/."""
    from booking import account, staff
    from booking.auth import bp as auth_bp
    from booking.public import bp as public_bp
    from booking.referral import bp as referral_bp
    from booking.trainer import bp as trainer_bp
    from booking.webhooks import bp as webhooks_bp

    app.register_blueprint(public_bp)
    # Signing in, and an invited member of staff choosing a password (the link is the check).
    app.register_blueprint(auth_bp, url_prefix="/account")
    # The attendee's own pages (/my/...).
    account.register(app)
    app.register_blueprint(referral_bp, url_prefix="/referral")
    app.register_blueprint(webhooks_bp, url_prefix="/webhooks")
    app.register_blueprint(trainer_bp, url_prefix="/trainer")
    # Staff pages (/admin/...), all behind the one staff gate.
    staff.register(app)
    # Police forces: their systems (the token-authenticated API) and their contacts' pages.
    from booking.api import register as register_force_api
    from booking.force import bp as force_bp

    register_force_api(app)
    app.register_blueprint(force_bp, url_prefix="/force")


def register_template_helpers(app: Flask) -> None:
    from booking.web import filters as formatting
    from booking.web import links

    formatting.init_app(app)
    links.init_app(app)


def register_errors(app: Flask) -> None:
    from booking.web import errors

    errors.init_app(app)


def register_jobs(app: Flask) -> None:
    """Point the worker's queue at the store the settings name (pages queue onto it)."""
    from booking.jobs import notifications, worker

    worker.configure_queue(app)
    notifications.init_app(app)


def register_commands(app: Flask) -> None:
    from booking.cli import commands as cli

    cli.init_app(app)
