"""The scheduled jobs, each one use case in short transactions. The worker
(booking/jobs/worker.py) runs them on a timetable; the CLI commands run the same functions by
hand.

Each needs an app context (settings, links in messages) and none holds a transaction open
between steps.
"""

from datetime import datetime

from flask import current_app

from booking.database import unit_of_work
from booking.integrations.stripe_gateway import gateway_from_config
from booking.jobs import force_webhooks, notifications, retention
from booking.jobs.refunds import send_refunds
from booking.models import User
from booking.services.bookings import waitlist
from booking.services.bookings.cancellation import expire_holds
from booking.services.notify import reminders
from booking.services.outreach import plan as contact_plan
from booking.services.people import access_links
from booking.services.referrals import deadlines as referral_deadlines
from booking.services.referrals import reminders as deadline_reminders
from booking.web import links
from booking.web.policies import current_ending_policy


def expire_holds_and_offers(now: datetime) -> dict[str, int]:
    """Release seats whose hold ran out, then lapse unclaimed waiting-list offers (each place
    freed is offered to the next person in line)."""
    policy = current_ending_policy()
    with unit_of_work():
        holds = expire_holds(now=now, policy=policy)
    with unit_of_work():
        offers = waitlist.expire_offers(now=now, policy=policy)
    return {"holds": holds, "offers": offers}


def send_notifications() -> dict[str, int]:
    """Deliver queued messages once (the channels' own sender decides how)."""
    return notifications.send_now(current_app.config)


def queue_reminders(now: datetime) -> int:
    with unit_of_work():
        return reminders.send_reminders(now=now, base_url=links.base_url())


def close_overdue_referrals(now: datetime) -> dict[str, int]:
    with unit_of_work():
        return referral_deadlines.close_overdue(now=now)


def send_leftover_refunds(now: datetime) -> dict[str, int]:
    """Refunds not sent right after their commit (a crash, Stripe down, a retry)."""
    result = send_refunds(gateway_from_config(current_app.config), now=now)
    return {"sent": result.sent, "failed": result.failed, "waiting": result.waiting}


def send_refunds_now(refund_ids: list[int] | None, now: datetime) -> dict[str, int]:
    """The refunds a request has just committed (None: every one waiting)."""
    result = send_refunds(gateway_from_config(current_app.config), now=now, refund_ids=refund_ids)
    return {"sent": result.sent, "failed": result.failed, "waiting": result.waiting}


def run_retention(now: datetime) -> object:
    return retention.run(now)


def send_force_webhooks(now: datetime) -> object:
    return force_webhooks.send_due(now)


def referral_link(person: User) -> str:
    """A link that signs the person in and shows their referral, with nothing to type."""
    token = access_links.token_for(person, secret_key=current_app.config["SECRET_KEY"])
    return links.external_url("referral.magic_link", token=token)


def run_contact_plans(now: datetime) -> dict[str, int]:
    """Take the contact plans' due steps (first contacts, the charity's later steps, calls the
    day before for people who asked for more help), then the deadline reminders."""
    rule = contact_plan.parse_rule(current_app.config["CONTACT_PLAN"])
    with unit_of_work():
        day_before = contact_plan.plan_day_before_calls(now=now)
    with unit_of_work():
        counts = contact_plan.run_due_steps(now=now, rule=rule, link_for=referral_link)
    return {**counts, "day_before_planned": day_before}


def send_deadline_reminders(now: datetime) -> int:
    """The 14, 7 and 3-day reminders for referrals not yet booked."""
    with unit_of_work():
        return deadline_reminders.send_deadline_reminders(
            now=now, choose_url=f"{links.base_url()}/referral/start"
        )
