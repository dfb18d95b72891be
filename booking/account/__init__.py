"""The attendee's own pages: one ``account`` blueprint with one nested blueprint per area,
named after its folder (``account.bookings``, ``account.changes``, ``account.payments``,
``account.certificates``). Each view checks the attendee role itself and loads the person's
own rows only (another person's booking is a 404)."""

from flask import Blueprint, Flask

from booking.account import bookings, certificates, changes, payments

# Each area's blueprint and where its pages sit. Self-service changes carry their own paths:
# most are under /my, and the link in a waiting-list offer is /waiting-list/claim/<token>.
AREAS: list[tuple[Blueprint, str | None]] = [
    (bookings.bp, "/my"),
    (changes.bp, None),
    (payments.bp, "/my"),
    (certificates.bp, "/my/certificates"),
]


def blueprint() -> Blueprint:
    parent = Blueprint("account", __name__)
    for area, url_prefix in AREAS:
        parent.register_blueprint(area, url_prefix=url_prefix)
    return parent


def register(app: Flask) -> None:
    app.register_blueprint(blueprint())
