"""Security headers on every response, and the role check every protected route uses."""

from collections.abc import Callable, Iterable
from functools import wraps

from flask import Flask, abort, current_app, request
from flask_login import current_user

from booking.extensions import login_manager
from booking.models import Role


def content_security_policy(checkout_origin: str) -> str:
    """Only our own files run or load; forms go only to us and to the card payment page."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            # Browsers apply form-action to the redirect after a POST too, so the Pay button's
            # redirect to the payment page is allowed only to this one origin.
            f"form-action 'self' {checkout_origin}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(app.config["STRIPE_CHECKOUT_ORIGIN"])

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # same-origin: our own pages get the Referer (and a real Origin) that the CSRF check
        # compares, while other sites (Stripe, the neutral page behind "Exit this page") learn
        # nothing, not even that the person was on a course-booking site. no-referrer made
        # browsers send "Origin: null", so every form over HTTPS was refused.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SEND_HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith(("public.", "static")):
            # Pages behind a sign-in hold personal data: never keep them in a shared cache.
            headers.setdefault("Cache-Control", "no-store")
        return response


def refusal(roles: Iterable[Role]):
    """None when the signed-in user has one of ``roles``; otherwise the way to refuse them.

    A stranger is sent to sign in; a signed-in person without the role gets 403.
    """
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def role_required(*roles: Role) -> Callable:
    """Only signed-in users with one of ``roles`` get through: others get 401/403 handling."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            refused = refusal(roles)
            if refused is not None:
                return refused
            return view(*args, **kwargs)

        return wrapped

    return decorator


def may_open(endpoint: str) -> bool:
    """Whether the signed-in person's role may open a page, for templates to hide links they
    may not follow. Reads the policy the staff gate registered (booking/staff/__init__.py);
    no query: the signed-in user is already loaded."""
    roles_for = current_app.extensions.get("roles_for_endpoint")
    if roles_for is None or not current_user.is_authenticated:
        return False
    return current_user.role in roles_for(endpoint)
