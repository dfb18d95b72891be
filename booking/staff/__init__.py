"""The charity staff's pages, behind one gate that knows which staff role may open what.

Each staff area (schedule, trainers, money, referrals, people, accounts) is its own blueprint,
so endpoint names such as ``admin.dashboard`` and ``finance.waiver_queue`` stay as they are.
``register`` puts ``require_staff`` first in front of every one of them: nobody but staff
reaches a staff view, even one that forgets its own check, and each staff role reaches only
the areas its work needs (least privilege).

Who may open what is decided here, in two small tables, so the whole policy reads in one place:
``AREA_ROLES`` gives each blueprint its roles, and ``ENDPOINT_ROLES`` gives the few pages that
differ from their area (the needs page sits in the schedule area but is for safeguarding).
"""

from flask import Blueprint, Flask, g, request
from flask.typing import ResponseReturnValue

from booking.models import STAFF_ROLES, Role
from booking.web.security import may_open, refusal

ALL_STAFF = STAFF_ROLES
SCHEDULING = frozenset({Role.ADMIN, Role.SCHEDULER})  # sessions, trainers and bookings
MONEY = frozenset({Role.ADMIN, Role.FINANCE})  # payments, refunds, the fund, help requests
NEEDS = frozenset({Role.ADMIN, Role.SAFEGUARDING})  # what a person needs, and person records
ADMIN_ONLY = frozenset({Role.ADMIN})  # accounts and settings

AREA_ROLES: dict[str, frozenset[Role]] = {
    "admin": SCHEDULING,
    "referrals_admin": SCHEDULING,
    "finance": MONEY,
    "admin_trainers": SCHEDULING,
    # Finding a person is everyone's daily work; each action on the person page narrows again.
    "staff_people": ALL_STAFF,
    "staff_accounts": ADMIN_ONLY,
    # Calls to make and messages that did not arrive: the people who phone attendees.
    "contact": SCHEDULING | NEEDS,
    # Retention runs, the access log, subject access and erasure.
    "privacy_admin": NEEDS,
}

ENDPOINT_ROLES: dict[str, frozenset[Role]] = {
    # Every staff role lands here after signing in; each queue on it links only where it may go.
    "admin.dashboard": ALL_STAFF,
    # One person's needs and safe contact, read one at a time and recorded.
    "admin.booking_needs": NEEDS,
    # Acting for a person: setting them up is anyone's phone call except finance's; their
    # answers (needs) are for those who may read them; bookings for the scheduling roles;
    # money for finance; a link to pay for either.
    "staff_people.new_person": SCHEDULING | NEEDS,
    "staff_people.from_referral": SCHEDULING | NEEDS,
    "staff_people.answers": NEEDS,
    "staff_people.access_log": NEEDS,
    "staff_people.book": SCHEDULING,
    "staff_people.move": SCHEDULING,
    "staff_people.cancel": SCHEDULING,
    "staff_people.more_time": SCHEDULING,
    "staff_people.payment": MONEY,
    "staff_people.pay_link": SCHEDULING | MONEY,
}


def roles_for(endpoint: str | None) -> frozenset[Role]:
    """The staff roles that may open ``endpoint`` (nobody, for an endpoint outside staff)."""
    if not endpoint:
        return frozenset()
    if endpoint in ENDPOINT_ROLES:
        return ENDPOINT_ROLES[endpoint]
    # An area nobody has placed yet is for admins only, until someone decides otherwise.
    return AREA_ROLES.get(endpoint.partition(".")[0], ADMIN_ONLY)


def require_staff() -> ResponseReturnValue | None:
    """Send strangers to sign in and refuse (403) anyone whose role may not open this page."""
    refused = refusal(STAFF_ROLES) or refusal(roles_for(request.endpoint))
    if refused is None:
        # A rule that refuses an admin form shows the form again as typed (web/errors.py).
        g.form_shown_again_on_refusal = True
    return refused


def blueprints() -> list[Blueprint]:
    from booking.staff.accounts import bp as accounts
    from booking.staff.contact import bp as contact
    from booking.staff.money import bp as money
    from booking.staff.people import bp as people
    from booking.staff.privacy import bp as privacy
    from booking.staff.referrals import bp as referrals
    from booking.staff.schedule import bp as schedule
    from booking.staff.trainers import bp as trainers

    return [schedule, referrals, money, trainers, people, accounts, contact, privacy]


URL_PREFIXES = {
    "admin": "/admin",
    "referrals_admin": "/admin/referrals",
    "finance": "/admin/money",
    "admin_trainers": "/admin/trainers",
    "staff_people": "/admin/people",
    "staff_accounts": "/admin/accounts",
    "contact": "/admin/contact",
    "privacy_admin": "/admin/privacy",
}


def register(app: Flask, blueprint: Blueprint, *, url_prefix: str) -> None:
    """Register a staff blueprint with the gate as the first thing each request meets."""
    app.register_blueprint(blueprint, url_prefix=url_prefix)
    # Added to the app's own table for this blueprint (not to the shared blueprint object), so
    # building several apps never stacks the gate twice.
    app.before_request_funcs.setdefault(blueprint.name, []).insert(0, require_staff)


def register_all(app: Flask) -> None:
    for blueprint in blueprints():
        register(app, blueprint, url_prefix=URL_PREFIXES[blueprint.name])
    # Templates ask web.security.may_open, which reads this policy, to hide links a role
    # may not follow.
    app.extensions["roles_for_endpoint"] = roles_for
    app.add_template_global(may_open)
