"""Which staff role may open which staff page: the whole policy, in two small tables.

``AREA_ROLES`` gives each staff area (a blueprint nested under ``staff``, named after its
folder) its roles, and ``ENDPOINT_ROLES`` gives the few pages that differ from their area (the
needs page sits in the schedule area but is for safeguarding). ``require_staff`` is the gate the
``staff`` parent blueprint runs before every staff view (booking/staff/__init__.py): nobody but
staff reaches a staff view, even one that forgets its own check, and each staff role reaches
only the areas its work needs (least privilege).
"""

from flask import g, request
from flask.typing import ResponseReturnValue

from booking.models import STAFF_ROLES, Role
from booking.web.security import refusal

ALL_STAFF = STAFF_ROLES
SCHEDULING = frozenset({Role.ADMIN, Role.SCHEDULER})  # sessions, trainers and bookings
MONEY = frozenset({Role.ADMIN, Role.FINANCE})  # payments, refunds, the fund, help requests
NEEDS = frozenset({Role.ADMIN, Role.SAFEGUARDING})  # what a person needs, and person records
ADMIN_ONLY = frozenset({Role.ADMIN})  # accounts and settings

AREA_ROLES: dict[str, frozenset[Role]] = {
    "staff.schedule": SCHEDULING,
    "staff.referrals": SCHEDULING,
    "staff.money": MONEY,
    "staff.trainers": SCHEDULING,
    # Finding a person is everyone's daily work; each action on the person page narrows again.
    "staff.people": ALL_STAFF,
    "staff.accounts": ADMIN_ONLY,
    # Calls to make and messages that did not arrive: the people who phone attendees.
    "staff.contact": SCHEDULING | NEEDS,
    # Retention runs, the access log, subject access and erasure.
    "staff.privacy": NEEDS,
}

ENDPOINT_ROLES: dict[str, frozenset[Role]] = {
    # Every staff role lands here after signing in; each queue on it links only where it may go.
    "staff.schedule.dashboard": ALL_STAFF,
    # One person's needs and safe contact, read one at a time and recorded.
    "staff.schedule.booking_needs": NEEDS,
    # Acting for a person: setting them up is anyone's phone call except finance's; their
    # answers (needs) are for those who may read them; bookings for the scheduling roles;
    # money for finance; a link to pay for either.
    "staff.people.new_person": SCHEDULING | NEEDS,
    "staff.people.from_referral": SCHEDULING | NEEDS,
    "staff.people.answers": NEEDS,
    "staff.people.access_log": NEEDS,
    "staff.people.book": SCHEDULING,
    "staff.people.move": SCHEDULING,
    "staff.people.cancel": SCHEDULING,
    "staff.people.more_time": SCHEDULING,
    "staff.people.payment": MONEY,
    "staff.people.pay_link": SCHEDULING | MONEY,
    # Keys to the force API and where police data is sent: admins only (least privilege); a
    # force's own contacts manage theirs on the force pages.
    "staff.referrals.create_token": ADMIN_ONLY,
    "staff.referrals.set_webhook": ADMIN_ONLY,
    # What each force receives about people: its data-sharing agreement.
    "staff.referrals.agreement": ADMIN_ONLY,
    "staff.referrals.save_agreement": ADMIN_ONLY,
}


def roles_for(endpoint: str | None) -> frozenset[Role]:
    """The staff roles that may open ``endpoint`` (nobody, for an endpoint outside staff)."""
    if not endpoint or not endpoint.startswith("staff."):
        return frozenset()
    if endpoint in ENDPOINT_ROLES:
        return ENDPOINT_ROLES[endpoint]
    # An area nobody has placed yet is for admins only, until someone decides otherwise.
    return AREA_ROLES.get(endpoint.rpartition(".")[0], ADMIN_ONLY)


def require_staff() -> ResponseReturnValue | None:
    """Send strangers to sign in and refuse (403) anyone whose role may not open this page."""
    refused = refusal(STAFF_ROLES) or refusal(roles_for(request.endpoint))
    if refused is None:
        # A rule that refuses an admin form shows the form again as typed (web/errors.py).
        g.form_shown_again_on_refusal = True
    return refused
