"""Configuration, all from environment variables (see README and .env.example)."""

import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
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
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")
    # Failed sign-ins to one account, from any number of addresses.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes")
    HOLD_MINUTES = int(os.environ.get("HOLD_MINUTES", "30"))
    CATALOGUE_PAGE_SIZE = int(os.environ.get("CATALOGUE_PAGE_SIZE", "20"))
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "Waypoint bookings")
    MAIL_SENDER_ADDRESS = os.environ.get("MAIL_SENDER_ADDRESS", "bookings@waypoint.invalid")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PASSWORD_RESET_MAX_AGE_SECONDS = int(os.environ.get("PASSWORD_RESET_MAX_AGE_SECONDS", "3600"))
    # Issue 5: referrals, waiting lists, notifications.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    SEND_NOTIFICATIONS_AFTER_REQUEST = _bool("SEND_NOTIFICATIONS_AFTER_REQUEST", False)
    WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "24"))
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
    REFUND_FULL_DAYS_BEFORE = int(os.environ.get("REFUND_FULL_DAYS_BEFORE", "7"))
    DAYS_TO_PAY_AFTER_DECISION = int(os.environ.get("DAYS_TO_PAY_AFTER_DECISION", "7"))


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SEND_NOTIFICATIONS_AFTER_REQUEST = _bool("SEND_NOTIFICATIONS_AFTER_REQUEST", True)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = False
    SERVER_NAME = None
    SEND_NOTIFICATIONS_AFTER_REQUEST = False
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = "whsec_test_only"
    STRIPE_API_BASE = ""


class ProductionConfig(Config):
    SECURE_COOKIES = True
    SEND_HSTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
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
