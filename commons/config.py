"""Settings read from COMMONS_* environment variables.

Every setting has a sensible default so that a fresh checkout runs on SQLite in ``instance/``.
The secret key, when not given, is generated once into ``instance/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

# The settings a city may give, with their defaults and meaning; README's settings table
# mirrors this list and a test keeps the two in step.
SETTINGS: dict[str, tuple[str | None, str]] = {
    "COMMONS_DATABASE_URL": (None, "SQLAlchemy URL; default SQLite file instance/commons.db"),
    "COMMONS_SECRET_KEY": (None, "session signing key; generated into instance/secret_key"),
    "COMMONS_STORAGE_DIR": (None, "where pact documents are kept; default instance/storage"),
    "COMMONS_REDIS_URL": (None, "Redis URL for rate limits and the export job queue; optional"),
    "COMMONS_EXPORT_DIR": (
        None,
        "where exports made from the web are kept; default instance/exports",
    ),
    "COMMONS_CHECKPOINT_FILE": (
        None,
        "witness file of the audit chain's checkpoints (JSON lines, appended); "
        "default instance/checkpoints.jsonl",
    ),
    "COMMONS_CITY_NAME": ("Demo City", "the city's name, shown in the header and documents"),
    "COMMONS_CITY_OFFICE": ("Commons Office", "the office that runs collaboration pacts"),
    "COMMONS_CITY_LANGUAGE": ("", "default language (en or it); empty: the browser's"),
    "COMMONS_CITY_TIMEZONE": ("Europe/Rome", "time zone for dates shown and deadlines"),
    "COMMONS_CITY_COUNTRY": ("IT", "country (ISO code) of phone numbers typed without +prefix"),
    "COMMONS_CITY_REGULATION": (
        "Regulation on collaboration between citizens and the city for the care and "
        "regeneration of urban commons",
        "the regulation pacts are made under",
    ),
    "COMMONS_CITY_ADDRESS": ("", "the city hall's address, in the pact's parties"),
    "COMMONS_CITY_TAX_CODE": ("", "the city's tax code, in the pact's parties"),
    "COMMONS_CITY_SIGNATORY": ("", "who signs pacts for the city, e.g. 'Giulia Romano, Director'"),
    "COMMONS_CITY_SIGNATORY_TITLE": (
        "",
        "the signatory's title, under their name on the pact, e.g. 'Director'",
    ),
    "COMMONS_CITY_SIGNATORY_POWER": ("", "the power under which the signatory signs"),
    "COMMONS_CITY_REGULATION_ARTICLE": ("", "the regulation's article pacts are made under"),
    "COMMONS_PUBLISH_REPRESENTATIVES": (
        "1",
        "show the representative's name of a signed pact to the public (0: never)",
    ),
    "COMMONS_DISTRICT_LABEL": ("", "the word for a district (e.g. Municipio); empty: District"),
    "COMMONS_NEIGHBOURHOOD_LABEL": (
        "",
        "the word for a neighbourhood (e.g. Quartiere); empty: Neighbourhood",
    ),
    "COMMONS_OPEN_DATA_LICENSE": (
        "CC-BY-4.0",
        "licence of the open data (an SPDX id, e.g. CC-BY-4.0, CC0-1.0, IODL-2.0)",
    ),
    "COMMONS_OPEN_DATA_PUBLISHER": ("", "who publishes the open data; default: the city's name"),
    "COMMONS_OPEN_DATA_CONTACT": ("", "contact e-mail address of the open data"),
    "COMMONS_CITY_LOGO": ("", "logo for pact documents: a path under commons/static"),
    "COMMONS_PUBLIC_URL": (
        None,
        "public address, in the pact's QR code and in links sent out; default: the address "
        "`make run` serves on (FLASK_RUN_HOST, FLASK_RUN_PORT), else http://127.0.0.1:5000",
    ),
    "COMMONS_PROFILE": ("labsus", "regulation profile for new proposals"),
    "COMMONS_LOGIN_RATE_LIMIT": (
        "10 per minute;50 per hour",
        "wrong passwords allowed per client address (login, sign, password change), then 429",
    ),
    "COMMONS_ACCOUNT_RATE_LIMIT": (
        "100 per hour",
        "wrong passwords allowed per account from all addresses together, then 429",
    ),
    "COMMONS_TRUSTED_PROXIES": (
        "0",
        "reverse proxies in front of the app (nginx, Caddy) whose X-Forwarded-* headers are "
        "believed; 0: the headers are ignored",
    ),
    "COMMONS_SECURE_COOKIES": ("1", "send cookies over HTTPS only (set 0 for plain-HTTP dev)"),
    "COMMONS_SIGNING_P12": ("", "PKCS#12 file whose key seals signed pacts (PAdES); empty: none"),
    "COMMONS_SIGNING_P12_PASSWORD": ("", "password of the COMMONS_SIGNING_P12 file"),
    "COMMONS_PREVIOUS_SEALS": (
        "",
        "certificate files (PEM or DER) of seals the city used before, separated by ':'; "
        "pacts and checkpoints sealed with them still show as the city's",
    ),
    "COMMONS_TRUST_ROOTS": (
        None,
        "folder of trusted CA certificates (PEM or DER) for signatures uploaded by the parties "
        "(PAdES, CAdES .p7m); default instance/trust-roots",
    ),
    "COMMONS_UPLOAD_DIR": (None, "where uploaded files are kept; default instance/uploads"),
    "COMMONS_MAX_UPLOAD_MB": ("10", "largest file accepted, in MB (a form may carry four)"),
    "COMMONS_UPLOAD_FILES_PER_PROPOSAL": ("30", "files a proposal may hold, all steps together"),
    "COMMONS_UPLOAD_MB_PER_PROPOSAL": ("100", "MB a proposal's files may take, all together"),
    "COMMONS_UPLOAD_MB_PER_USER_DAY": ("200", "MB one person may upload in 24 hours"),
    "COMMONS_PACT_TEXT_MAX_CHARS": (
        "100000",
        "longest pact text accepted, in characters (docs/limits.md: printing time grows with it)",
    ),
    "COMMONS_RENDER_TIMEOUT": ("20", "seconds a PDF may take to print before it is refused"),
    "COMMONS_RENDER_MEMORY_MB": ("1024", "memory (address space, MB) a PDF's printing may use"),
    "COMMONS_INVITATION_DAYS": ("14", "days an e-mailed invitation to join a group stays valid"),
    "COMMONS_RESET_TOKEN_HOURS": ("1", "hours a password reset link stays valid (used once)"),
    "COMMONS_VERIFY_TOKEN_HOURS": ("48", "hours an e-mail confirmation link stays valid"),
    "COMMONS_RESET_RATE_LIMIT": (
        "5 per hour",
        "password reset requests allowed per address, and (times 4) per client",
    ),
    "COMMONS_ACCOUNT_ANSWER_SECONDS": (
        "0.5",
        "least seconds the reset, registration and address-change answers take, so that"
        " their timing does not tell which addresses have an account",
    ),
    "COMMONS_SMTP_HOST": ("", "mail server for notification e-mails; empty: in-app only"),
    "COMMONS_SMTP_PORT": ("587", "port of the mail server"),
    "COMMONS_SMTP_USERNAME": ("", "login on the mail server; empty: no login"),
    "COMMONS_SMTP_PASSWORD": ("", "password for COMMONS_SMTP_USERNAME"),
    "COMMONS_SMTP_FROM": ("commons@localhost", "sender address of notification e-mails"),
    "COMMONS_SMTP_STARTTLS": (
        "1",
        "upgrade the connection with STARTTLS (set 0 for a local relay)",
    ),
    "COMMONS_SMTP_TIMEOUT": ("30", "seconds to wait for the mail server"),
    "COMMONS_OIDC_PROVIDERS": (
        None,
        "TOML file of the identity providers for login with SPID, CIE, eIDAS (OpenID "
        "Connect); default instance/oidc.toml when it exists, else none",
    ),
    "COMMONS_TILE_URL": (
        "",
        "map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: no tiles",
    ),
    "COMMONS_TILE_ATTRIBUTION": ("", "credit shown on the map for the tiles (their licence)"),
}

LANGUAGES = {"en": "English", "it": "Italiano"}


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return SETTINGS[name][0]
    return value


# Where `flask run` listens when nothing says otherwise.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "5000"


def public_url(environ: Mapping[str, str] | None = None) -> str:
    """The registry's public address, without a trailing slash.

    COMMONS_PUBLIC_URL when set. Otherwise the address the development server serves on:
    ``flask run`` reads FLASK_RUN_HOST and FLASK_RUN_PORT, and ``make run`` exports them from
    its HOST and PORT, so ``make run PORT=5101`` prints links to port 5101. A server listening
    on every interface (0.0.0.0, ::) is reached on this machine as 127.0.0.1.
    """
    environ = os.environ if environ is None else environ
    explicit = (environ.get("COMMONS_PUBLIC_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = (environ.get("FLASK_RUN_HOST") or "").strip() or DEFAULT_HOST
    port = (environ.get("FLASK_RUN_PORT") or "").strip() or DEFAULT_PORT
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - a listening address, not a binding
        host = DEFAULT_HOST
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def _secret_key(instance: Path) -> str:
    """Return the configured key, else the one kept in instance/, creating it on first run."""
    key = os.environ.get("COMMONS_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    # Written whole to a private file, then linked into place: link fails if another process
    # (a second worker starting at the same moment) made the key first, and then its key is
    # the one every process uses; nobody ever reads a half-written key.
    tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    # Created with owner-only permissions: the key signs every session.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def _oidc_providers(instance: Path) -> dict:
    """The identity providers' settings (docs/admins.md); none when no file is given."""
    from commons.auth.oidc import read_settings

    path = _env("COMMONS_OIDC_PROVIDERS")
    if not path and (instance / "oidc.toml").is_file():
        path = str(instance / "oidc.toml")
    return read_settings(path)


def load_config(instance: Path | None = None) -> dict:
    """Build the Flask configuration mapping from the environment."""
    instance = Path(os.environ.get("COMMONS_INSTANCE_DIR") or instance or DEFAULT_INSTANCE)
    database_url = _env("COMMONS_DATABASE_URL") or f"sqlite:///{instance / 'commons.db'}"
    redis_url = _env("COMMONS_REDIS_URL")
    secure = _env("COMMONS_SECURE_COOKIES") not in ("0", "false", "no")
    max_upload_mb = max(1, int(_env("COMMONS_MAX_UPLOAD_MB")))
    return {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_DIR": _env("COMMONS_STORAGE_DIR") or str(instance / "storage"),
        "REDIS_URL": redis_url,
        "EXPORT_DIR": _env("COMMONS_EXPORT_DIR") or str(instance / "exports"),
        "CHECKPOINT_FILE": _env("COMMONS_CHECKPOINT_FILE") or str(instance / "checkpoints.jsonl"),
        "CITY_NAME": _env("COMMONS_CITY_NAME"),
        "PUBLISH_REPRESENTATIVES": _env("COMMONS_PUBLISH_REPRESENTATIVES")
        not in ("0", "false", "no"),
        "DISTRICT_LABEL": _env("COMMONS_DISTRICT_LABEL") or "",
        "NEIGHBOURHOOD_LABEL": _env("COMMONS_NEIGHBOURHOOD_LABEL") or "",
        "OPEN_DATA_LICENSE": _env("COMMONS_OPEN_DATA_LICENSE"),
        "OPEN_DATA_PUBLISHER": _env("COMMONS_OPEN_DATA_PUBLISHER"),
        "OPEN_DATA_CONTACT": _env("COMMONS_OPEN_DATA_CONTACT"),
        "CITY_OFFICE": _env("COMMONS_CITY_OFFICE"),
        "CITY_LANGUAGE": _env("COMMONS_CITY_LANGUAGE") or None,
        "CITY_TIMEZONE": _env("COMMONS_CITY_TIMEZONE"),
        "CITY_COUNTRY": _env("COMMONS_CITY_COUNTRY"),
        "CITY_REGULATION": _env("COMMONS_CITY_REGULATION"),
        "CITY_ADDRESS": _env("COMMONS_CITY_ADDRESS"),
        "CITY_TAX_CODE": _env("COMMONS_CITY_TAX_CODE"),
        "CITY_SIGNATORY": _env("COMMONS_CITY_SIGNATORY"),
        "CITY_SIGNATORY_TITLE": _env("COMMONS_CITY_SIGNATORY_TITLE"),
        "CITY_SIGNATORY_POWER": _env("COMMONS_CITY_SIGNATORY_POWER"),
        "CITY_REGULATION_ARTICLE": _env("COMMONS_CITY_REGULATION_ARTICLE"),
        "CITY_LOGO": _env("COMMONS_CITY_LOGO"),
        "PUBLIC_URL": public_url(),
        # Given by the city: links made during a request use it too, not the request's host.
        "PUBLIC_URL_SET": bool((os.environ.get("COMMONS_PUBLIC_URL") or "").strip()),
        "PROFILE": _env("COMMONS_PROFILE"),
        "LOGIN_RATE_LIMIT": _env("COMMONS_LOGIN_RATE_LIMIT"),
        "ACCOUNT_RATE_LIMIT": _env("COMMONS_ACCOUNT_RATE_LIMIT"),
        "TRUSTED_PROXIES": max(0, int(_env("COMMONS_TRUSTED_PROXIES"))),
        "SIGNING_P12": _env("COMMONS_SIGNING_P12"),
        "SIGNING_P12_PASSWORD": _env("COMMONS_SIGNING_P12_PASSWORD"),
        "TRUST_ROOTS": _env("COMMONS_TRUST_ROOTS") or str(instance / "trust-roots"),
        "PREVIOUS_SEALS": [p for p in _env("COMMONS_PREVIOUS_SEALS").split(os.pathsep) if p],
        "SMTP_HOST": _env("COMMONS_SMTP_HOST"),
        "SMTP_PORT": int(_env("COMMONS_SMTP_PORT")),
        "SMTP_USERNAME": _env("COMMONS_SMTP_USERNAME"),
        "SMTP_PASSWORD": _env("COMMONS_SMTP_PASSWORD"),
        "SMTP_FROM": _env("COMMONS_SMTP_FROM"),
        "SMTP_STARTTLS": _env("COMMONS_SMTP_STARTTLS") not in ("0", "false", "no"),
        "SMTP_TIMEOUT": float(_env("COMMONS_SMTP_TIMEOUT")),
        "TILE_URL": _env("COMMONS_TILE_URL"),
        "OIDC_PROVIDERS": _oidc_providers(instance),
        "TILE_ATTRIBUTION": _env("COMMONS_TILE_ATTRIBUTION"),
        # Sessions and cookies: see DESIGN.md, security principles.
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_PROTECTION": "strong",
        "WTF_CSRF_TIME_LIMIT": None,
        "UPLOAD_DIR": _env("COMMONS_UPLOAD_DIR"),
        "MAX_UPLOAD_MB": max_upload_mb,
        "UPLOAD_FILES_PER_PROPOSAL": max(1, int(_env("COMMONS_UPLOAD_FILES_PER_PROPOSAL"))),
        "UPLOAD_MB_PER_PROPOSAL": max(1, int(_env("COMMONS_UPLOAD_MB_PER_PROPOSAL"))),
        "UPLOAD_MB_PER_USER_DAY": max(1, int(_env("COMMONS_UPLOAD_MB_PER_USER_DAY"))),
        "INVITATION_DAYS": max(1, int(_env("COMMONS_INVITATION_DAYS"))),
        "RESET_TOKEN_HOURS": max(1, int(_env("COMMONS_RESET_TOKEN_HOURS"))),
        "VERIFY_TOKEN_HOURS": max(1, int(_env("COMMONS_VERIFY_TOKEN_HOURS"))),
        "RESET_RATE_LIMIT": _env("COMMONS_RESET_RATE_LIMIT"),
        "ACCOUNT_ANSWER_SECONDS": max(0.0, float(_env("COMMONS_ACCOUNT_ANSWER_SECONDS"))),
        "PACT_TEXT_MAX_CHARS": max(1, int(_env("COMMONS_PACT_TEXT_MAX_CHARS"))),
        # PDFs print in a child process bounded in time and memory (commons.documents.bounded).
        "RENDER_TIMEOUT": max(1.0, float(_env("COMMONS_RENDER_TIMEOUT"))),
        "RENDER_MEMORY_MB": max(256, int(_env("COMMONS_RENDER_MEMORY_MB"))),
        "RENDER_ISOLATED": True,
        # A request may carry four files at the limit and the form around them.
        "MAX_CONTENT_LENGTH": (4 * max_upload_mb + 1) * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # argon2id parameters (RFC 9106 second recommended option); tests make them cheap.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "ARGON2_PARALLELISM": 4,
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    }
