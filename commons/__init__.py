"""Commons: a registry for collaboration pacts on urban commons."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, render_template, request, session
from flask_login import current_user

# Not `from commons.extensions import db`: that would hide the `commons.db` module.
from commons import extensions as ext
from commons.config import PROJECT_ROOT, load_config

__version__ = "0.1.0"


def select_locale() -> str:
    """The user's chosen language, else the city's, else the browser's best match."""
    from flask import current_app, has_request_context

    languages = list(current_app.config["LANGUAGES"])
    city = current_app.config.get("CITY_LANGUAGE")
    if not has_request_context():  # CLI commands speak the city's language
        return city if city in languages else "en"
    if request.path.startswith("/api/"):  # the API: the token owner's choice, else the client's
        api_user = g.get("api_user")
        if getattr(api_user, "locale", None) in languages:
            return api_user.locale
        best = request.accept_languages.best_match(languages)
        return best or (city if city in languages else "en")
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if city in languages:
        return city
    return request.accept_languages.best_match(languages) or "en"


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this machine: no connection to check before each use.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    from commons.db import import_all_models

    import_all_models()
    # Profiles are validated here: a broken one stops the start with a message naming it.
    from flask_babel import gettext

    from commons.formatting import format_day
    from commons.lifecycle import install as install_lifecycle
    from commons.proposals.forms import field_label
    from workflows.i18n import set_date_formatter, set_field_labeller, set_translator

    set_translator(gettext)
    set_field_labeller(field_label)
    set_date_formatter(format_day)
    install_lifecycle(app)
    ext.db.init_app(app)
    from commons.office.deadlines import install as install_deadlines

    install_deadlines()
    from commons.notifications.events import install as install_notifications

    install_notifications()
    from commons.summaries.operations import install as install_summaries

    install_summaries()
    ext.csrf.init_app(app)
    _init_limiter(app)
    # Flask-Babel's own date functions convert to the city's zone, as commons.formatting does.
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["CITY_TIMEZONE"])
    ext.babel.init_app(app, locale_selector=select_locale)
    _init_login(app)
    from commons.auth import oidc

    oidc.install(app)  # identity providers: a wrong setting stops the start, naming it
    from commons.routing import install as install_routing

    install_routing(app)  # before the blueprints: their rules bind the converter when added
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    _register_security_headers(app)
    from commons.inputs import install as install_input_checks

    install_input_checks(app)

    from commons.cli import register_cli

    register_cli(app)
    return app


def _init_limiter(app: Flask) -> None:
    """Rate-limit storage, and the client address behind trusted reverse proxies."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-For/-Proto/-Host are believed from that many proxies in front, no more:
        # with 0 (the default) they are ignored, so a client cannot choose its own address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if str(app.config.get("RATELIMIT_STORAGE_URI") or "").startswith(("redis", "rediss")):
        # Short timeouts: Redis down must cost a request a fraction of a second, not a 500.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        )
    ext.limiter.init_app(app)


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.orm import joinedload

    from commons.auth.models import User

    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = _l("Please log in to see this page.")
    ext.login_manager.login_message_category = "info"
    ext.login_manager.session_protection = app.config["SESSION_PROTECTION"]

    @ext.login_manager.user_loader
    def load_user(user_id: str):
        # The id (in the session and in the remember cookie) carries the session generation:
        # logout, a password change and deactivation bump it, ending every older session.
        try:
            pk, generation = (int(part) for part in user_id.split(":", 1))
            # One query for the user and their roles: this runs on every request.
            user = ext.db.session.get(User, pk, options=[joinedload(User.role_rows)])
        except (ValueError, TypeError):
            return None
        if user is None or user.session_generation != generation or not user.active:
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    from commons.apply.views import apply_bp
    from commons.audit.views import audit_bp
    from commons.auth.oidc_views import oidc_bp
    from commons.auth.views import admin_bp, auth_bp
    from commons.calls.views import calls_bp
    from commons.consultation.views import consultation_bp
    from commons.documents.views import documents_bp
    from commons.groups.views import groups_bp
    from commons.imports.views import imports_bp
    from commons.monitoring.views import monitoring_bp
    from commons.notifications.views import notifications_bp
    from commons.offers.results_views import results_bp
    from commons.offers.views import offers_bp
    from commons.office.views import office_bp
    from commons.privacy.views import privacy_bp
    from commons.proposals.views import proposals_bp
    from commons.public.views import public_bp
    from commons.registry.views import registry_bp
    from commons.summaries.views import panel as summary_panel
    from commons.summaries.views import summaries_bp
    from commons.uploads.views import uploads_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(consultation_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(oidc_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(uploads_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(apply_bp)
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(summaries_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(results_bp)
    app.add_template_global(summary_panel, "summary_panel")
    app.add_template_global(_report_values_of, "report_values_of")

    from commons.api import init_api
    from commons.api.account import api_tokens_bp

    init_api(app)
    app.register_blueprint(api_tokens_bp)


def _register_template_helpers(app: Flask) -> None:
    from commons import formatting, limits
    from commons.auth.forms import role_label
    from commons.auth.permissions import can
    from commons.inputs import show_bidi_controls
    from commons.payloads import payload_value

    app.add_template_filter(payload_value, "payload_value")
    app.add_template_filter(show_bidi_controls, "bidi_visible")
    formatting.register(app)
    from commons.registry import labels as place_labels

    place_labels.register(app)
    # The size limits, for inputs' maxlength and the hints beside them (commons/limits.py).
    app.jinja_env.globals["limits"] = limits

    @app.context_processor
    def inject():
        return {
            "can": can,
            "role_label": role_label,
            "city_name": app.config["CITY_NAME"],
            "city_office": app.config["CITY_OFFICE"],
            "languages": app.config["LANGUAGES"],
            "current_locale": str(_current_locale()),
            "unread_notifications": _unread_notifications,
        }


def _unread_notifications() -> int:
    """How many notifications the logged-in user has not read (for the header)."""
    if not current_user.is_authenticated:
        return 0
    from commons.notifications.operations import unread_count

    return unread_count(current_user)


def _current_locale():
    from flask_babel import get_locale

    return get_locale() or "en"


def _register_error_pages(app: Flask) -> None:
    from flask_babel import gettext as _

    from commons.documents.bounded import RenderRefused

    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to do this."),
        404: lambda: _("This page does not exist."),
        405: lambda: _("This action is not allowed here."),
        409: lambda: _("This was changed by someone else in the meantime."),
        413: lambda: _(
            "What you sent is too large: at most %(total)s MB may be sent at a time, each file "
            "at most %(mb)d MB and at most four files. Nothing was saved. Go back to the form, "
            "choose smaller files or shorten the text, and send it again.",
            total=f"{int(app.config.get('MAX_CONTENT_LENGTH') or 0) / (1024 * 1024):g}",
            mb=int(app.config["MAX_UPLOAD_MB"]),
        ),
        429: lambda: _("Too many attempts. Please wait a minute and try again."),
        500: lambda: _("Something went wrong on our side. Nothing you did caused it."),
    }

    def handler(error):
        from commons.api import api_error_response, is_api_request

        if is_api_request():  # the API answers problem+json, even for unknown addresses
            if (getattr(error, "code", 500) or 500) >= 500:
                ext.db.session.rollback()
            return api_error_response(error)
        code = getattr(error, "code", 500) or 500
        if code == 500:
            ext.db.session.rollback()
        message = messages.get(code, messages[500])()
        if code == 400 and getattr(error, "description", "").startswith("The CSRF"):
            message = _("The form expired or was sent from elsewhere. Please send it again.")
        return render_template("errors/error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handler)

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError
    from werkzeug.exceptions import Conflict

    from commons.db import race_summary

    def changed_meanwhile(error):
        # Two requests wrote the same row at once and this one lost (a versioned UPDATE that
        # matched nothing, a unique row inserted twice): a conflict to retry, not a fault.
        ext.db.session.rollback()
        app.logger.warning("request refused as a conflict: %s", race_summary(error))
        return handler(Conflict())

    def render_refused(error: RenderRefused):
        # A PDF that could not be printed within its bounds: say why and what to do (the API
        # blueprint answers it as a problem through its DomainError handler).
        from flask import request

        ext.db.session.rollback()
        app.logger.warning("render refused (%s): %s", error.reason, request.path)
        return render_template(
            "errors/error.html", code=error.status_code, message=error.message
        ), error.status_code

    app.register_error_handler(RenderRefused, render_refused)
    app.register_error_handler(StaleDataError, changed_meanwhile)
    app.register_error_handler(IntegrityError, changed_meanwhile)

    import errno
    import re
    import secrets

    from flask import g, request
    from sqlalchemy.exc import OperationalError

    REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

    @app.before_request
    def request_id():
        # A short id the person can quote and the log carries, to find one failed request.
        # A client's own id is kept only when it is a plain token, so it cannot forge log lines.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else secrets.token_hex(6)

    @app.after_request
    def send_request_id(response):
        if getattr(g, "request_id", None):
            response.headers.setdefault("X-Request-Id", g.request_id)
        return response

    storage_errors = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EACCES}

    def unavailable(error):
        # The storage disk is full or read-only, or the database is unreachable: the
        # transaction is rolled back, so nothing was changed and the action can be repeated.
        if isinstance(error, OSError) and error.errno not in storage_errors:
            raise error
        ext.db.session.rollback()
        rid = getattr(g, "request_id", "-")
        app.logger.error("request %s failed: storage or database unavailable: %r", rid, error)
        message = _(
            "The registry could not save this just now (its storage or database is not "
            "available). Nothing was changed: you can repeat the action in a few minutes. "
            "If it happens again, tell the office this reference: %(rid)s.",
            rid=rid,
        )
        if is_api():
            from commons.api.errors import problem

            return problem(503, message, request_id=rid)
        return render_template("errors/error.html", code=503, message=message), 503

    def is_api():
        from commons.api import is_api_request

        return is_api_request()

    app.register_error_handler(OSError, unavailable)
    app.register_error_handler(OperationalError, unavailable)


def _register_security_headers(app: Flask) -> None:
    from commons.public.maps import tile_origin

    # The map's tiles come from the configured tile server, if any: only its origin is allowed.
    tiles = tile_origin(app.config.get("TILE_URL") or "")
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{' ' + tiles if tiles else ''}; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{form_action}; "
        "frame-ancestors 'none'"
    )

    from commons.auth.oidc import form_action_origins

    @app.after_request
    def headers(response):
        # The "Log in with SPID" forms are answered with a redirect to the provider, which
        # the browser checks against form-action: its origins are allowed too.
        origins = "".join(" " + origin for origin in form_action_origins())
        response.headers.setdefault(
            "Content-Security-Policy", csp.replace("{form_action}", origins)
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=()")
        if g.get("no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response


# The lifecycle engine's application side: the guards and effects the profiles name, the
# permission check, the event recorder and the store (see commons/lifecycle/__init__.py).
import commons.lifecycle  # noqa: E402, F401


def _report_values_of(report):
    """A report's indicator values with its framework version's labels in the page's language."""
    from commons.formatting import current_language
    from commons.impact.queries import shown_values

    return shown_values(report, current_language())
