"""Configuration, all from environment variables (see README and .env.example)."""

import os


def _int(name: str, default: int = 0) -> int:
    return int(os.environ.get(name) or default)


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():  # an empty line copied from .env.example: the default
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///waypoint.db")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    # The benchmark's X-Query-Count header (booking/query_count.py); off unless asked for.
    COUNT_QUERIES = _bool("BENCH_COUNT_QUERIES")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SECURE_COOKIES = False
    SEND_HSTS = False
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Namespaces the limiter's keys in a shared Redis, so two deployments never share counts.
    # Flask-Limiter keeps the first non-empty prefix it is given for the life of the process.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # If Redis is down, each worker counts in its own memory instead: the limits still hold
    # (per worker) and people can still sign in, rather than every form failing with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")
    # Password reset requests for one account, from any number of addresses.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes")
    HOLD_MINUTES = int(os.environ.get("HOLD_MINUTES", "30"))
    CATALOGUE_PAGE_SIZE = int(os.environ.get("CATALOGUE_PAGE_SIZE", "20"))
    # Anonymous home, catalogue and session pages are kept this many seconds (0: never), so
    # places left shown to strangers are at most this stale (booking/web/caching.py). Each
    # worker keeps its own copy unless PAGE_CACHE_URL names a Redis they share.
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "3"))
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "")
    # Calls to the force API per token (Flask-Limiter's notation).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    # Flask-Login's remember-me cookie; the page cache never serves a request that carries it.
    REMEMBER_COOKIE_NAME = "remember_token"
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "Waypoint bookings")
    MAIL_SENDER_ADDRESS = os.environ.get("MAIL_SENDER_ADDRESS", "bookings@waypoint.invalid")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names the app answers to besides PUBLIC_BASE_URL's (e.g. an internal health-check
    # name). Enforced in production only: a request for any other Host gets a 400.
    EXTRA_TRUSTED_HOSTS = _list("EXTRA_TRUSTED_HOSTS")
    ENFORCE_TRUSTED_HOSTS = False
    # How many proxies in front of the app set each X-Forwarded-* header. 0 (the default) means
    # the header is ignored: trusting a header no proxy of ours sets would let anyone forge
    # their address (and so dodge the sign-in limit) or the scheme.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR")
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO")
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST")
    PROXY_FIX_X_PORT = _int("PROXY_FIX_X_PORT")
    PROXY_FIX_X_PREFIX = _int("PROXY_FIX_X_PREFIX")
    # Flask-WTF's own HTTPS check demands a Referer on every POST, which browsers and privacy
    # tools often strip; booking/web/csrf.py checks Origin (or Referer) instead, see there.
    WTF_CSRF_SSL_STRICT = False
    PASSWORD_RESET_MAX_AGE_SECONDS = int(os.environ.get("PASSWORD_RESET_MAX_AGE_SECONDS", "3600"))
    # Referrals, waiting lists, notifications.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    SEND_NOTIFICATIONS_AFTER_REQUEST = _bool("SEND_NOTIFICATIONS_AFTER_REQUEST", False)
    # GOV.UK Notify for texts and letters (and email when its template is set). Without an API
    # key, texts and letters only appear on the staff development outbox page.
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    NOTIFY_SMS_TEMPLATE_ID = os.environ.get("NOTIFY_SMS_TEMPLATE_ID", "")
    NOTIFY_LETTER_TEMPLATE_ID = os.environ.get("NOTIFY_LETTER_TEMPLATE_ID", "")
    NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID", "")
    # The bearer token Notify sends with delivery receipts and received texts (set in Notify's
    # callback settings). Empty: the callbacks are refused.
    NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
    WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "24"))
    # The contact plan after the first contact, as the charity reads it: working days after a
    # referral arrived, and the way ("2 text, 5 call, 9 letter"). Changed here, not in code.
    CONTACT_PLAN = os.environ.get("CONTACT_PLAN", "2 text, 5 call, 9 letter")
    RESCHEDULE_MIN_NOTICE_HOURS = int(os.environ.get("RESCHEDULE_MIN_NOTICE_HOURS", "48"))
    REFERRAL_LOOKUP_RATE_LIMIT = os.environ.get(
        "REFERRAL_LOOKUP_RATE_LIMIT", "5 per minute; 30 per hour"
    )
    # Look-ups that did not sign in, per police reference, from any number of addresses.
    REFERRAL_REFERENCE_RATE_LIMIT = os.environ.get("REFERRAL_REFERENCE_RATE_LIMIT", "10 per hour")
    # Payments (see README "Fees, payments and the hardship fund"). No secret key: card payment off.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    # Where the Pay button sends people (the only other site a form may lead to); a fake Stripe
    # such as localstripe serves its payment page from STRIPE_API_BASE instead.
    STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
    REFUND_FULL_DAYS_BEFORE = int(os.environ.get("REFUND_FULL_DAYS_BEFORE", "7"))
    DAYS_TO_PAY_AFTER_DECISION = int(os.environ.get("DAYS_TO_PAY_AFTER_DECISION", "7"))
    # Retention (see README "Data protection: retention, access and erasure"), in months. After
    # each period `apply-retention` removes the personal fields and keeps the rows, so every
    # count, outcome and money total stays the same.
    # Police reference, date of birth, disposal and the details on a referral: after it ends.
    RETENTION_OFFENCE_MONTHS = _int("RETENTION_OFFENCE_MONTHS", 12)
    # Needs and preferences: after the person's last session (or when they told us, if none).
    RETENTION_NEEDS_MONTHS = _int("RETENTION_NEEDS_MONTHS", 3)
    # Name, email, phone and messages of a person with no activity (booking, session, referral).
    RETENTION_CONTACT_MONTHS = _int("RETENTION_CONTACT_MONTHS", 24)
    # Payment, refund and help-with-fee records (kept for the accounts; amounts are never removed).
    RETENTION_PAYMENT_MONTHS = _int("RETENTION_PAYMENT_MONTHS", 72)
    # Audit events (who saw or changed what): deleted after this.
    RETENTION_AUDIT_MONTHS = _int("RETENTION_AUDIT_MONTHS", 72)
    # The worker (booking/worker.py): its queue is a SQLite file in instance/ unless REDIS_URL
    # names a Redis, which every app instance and worker must then share.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    WORKER_QUEUE_FILE = os.environ.get("WORKER_QUEUE_FILE", "")
    # Tests run a queued task at once, in memory, instead of waiting for a worker.
    TASKS_RUN_IMMEDIATELY = _bool("TASKS_RUN_IMMEDIATELY", False)
    NOTIFICATIONS_EVERY_SECONDS = _int("NOTIFICATIONS_EVERY_SECONDS", 5)
    # Trainer allocation: minutes a trainer needs between two sessions in different places,
    # and how long the solver may think before it gives its best answer so far.
    TRAVEL_BUFFER_MINUTES = _int("TRAVEL_BUFFER_MINUTES", 60)
    ALLOCATION_TIME_LIMIT = float(os.environ.get("ALLOCATION_TIME_LIMIT") or 8.0)


def development_base_url(environ) -> str:
    """Where people reach a development server: PUBLIC_BASE_URL when set, else this machine on
    the port it serves (``PORT=5301 make run``), so every absolute link (emails, texts,
    invitations, calendar feeds, call scripts) points at the server that sent it."""
    given = (environ.get("PUBLIC_BASE_URL") or "").strip()
    if given:
        return given
    port = (environ.get("PORT") or "").strip()
    return f"http://127.0.0.1:{port if port.isdigit() else 5000}"


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    PUBLIC_BASE_URL = development_base_url(os.environ)

    @classmethod
    def from_environment(cls) -> dict:
        """The address as the environment has it when the app is built."""
        return {"PUBLIC_BASE_URL": development_base_url(os.environ)}

    SEND_NOTIFICATIONS_AFTER_REQUEST = _bool("SEND_NOTIFICATIONS_AFTER_REQUEST", True)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    SERVER_NAME = None
    SEND_NOTIFICATIONS_AFTER_REQUEST = False
    NOTIFY_API_KEY = ""
    NOTIFY_CALLBACK_TOKEN = "notify-callback-test-only"
    # Tests read places left straight after booking; the page cache's own tests switch it on.
    PAGE_CACHE_SECONDS = 0
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = "whsec_test_only"
    STRIPE_API_BASE = ""
    TASKS_RUN_IMMEDIATELY = _bool("TASKS_RUN_IMMEDIATELY", True)
    REDIS_URL = ""


class ProductionConfig(Config):
    SECURE_COOKIES = True
    SEND_HSTS = True
    ENFORCE_TRUSTED_HOSTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        required = ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                f"Production needs these environment variables: {', '.join(missing)}"
            )

    @classmethod
    def from_environment(cls) -> dict:
        """The secrets as the environment has them now, not as it had them at import time."""
        return {
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            # Every absolute link (password reset, payment return) is built from this, never
            # from the request's Host header, which a sender can forge.
            "PUBLIC_BASE_URL": os.environ["PUBLIC_BASE_URL"],
        }


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("WAYPOINT_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"WAYPOINT_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
