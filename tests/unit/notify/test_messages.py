"""Every kind of message renders from its template, with a neutral subject and preview.

Someone else may see a person's inbox, lock screen or calendar: the subject, the first lines a
mail app shows as a preview, the sender's name and the calendar entry's title must never say
drugs, alcohol, police, offence, diversion or the course's name. A message about a booking must
say when it is and where (or how to join).
"""

import ast
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking.integrations.email_sender import MailSettings
from booking.models import (
    AttendeeProfile,
    BookingStatus,
    Notification,
    NotificationStatus,
    Role,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import cancellation, rescheduling
from booking.services.bookings import seats as bookings
from booking.services.notify import contact_plan as wording
from booking.services.notify import digests, messages
from booking.services.notify.outbox import FALLBACK_SUBJECT, NEUTRAL_SUBJECTS
from booking.services.schedule import changes
from tests import PROJECT_ROOT, factories
from tests.referral_factories import make_email_safe, referral

pytestmark = pytest.mark.database

ROOT = PROJECT_ROOT
LONDON = ZoneInfo("Europe/London")
COURSE_NAMES = ["Drug awareness", "Alcohol awareness"]
NEVER_SHOWN = ["drug", "alcohol", "police", "offence", "offender", "diversion", "caution"]
PREVIEW_LENGTH = 160  # about what a phone's mail app shows under the subject


def sensitive_words(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in NEVER_SHOWN + [n.lower() for n in COURSE_NAMES] if word in lowered]


def _when_shown(moment) -> list[str]:
    local = moment.astimezone(LONDON)
    return [f"{local:%A} {local.day} {local:%B %Y}", local.strftime("%I:%M").lstrip("0")]


def message_world(db):
    """A person who said email is safe (and texts, but email first), booked on an in-person and
    an online session."""
    now = utcnow().replace(microsecond=0)
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)
    profile = db.session.query(AttendeeProfile).filter_by(user_id=person.id).one()
    profile.text_is_safe, profile.phone_number, profile.contact_order = True, "07700900123", "email"
    drugs = factories.course_type(name=COURSE_NAMES[0])
    alcohol = factories.course_type(name=COURSE_NAMES[1])
    in_person = factories.course_session(
        course_type_row=drugs, venue_row=factories.venue(name="Riverside Centre")
    )
    online = factories.course_session(
        course_type_row=alcohol,
        online=True,
        online_join_url="https://meet.example.org/room-1",
        starts_at=now + timedelta(days=9),
    )
    booking = bookings.book_session(in_person.id, person, now=now)
    moved = bookings.book_session(online.id, person, now=now)
    assert booking.status == moved.status == BookingStatus.CONFIRMED
    entry = WaitingListEntry(
        session_id=in_person.id,
        user_id=person.id,
        status=WaitingStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + timedelta(hours=24),
        claim_token="token-1",
    )
    db.session.add(entry)
    case = referral(in_person.venue.force, drugs, user_id=person.id)
    db.session.flush()
    return now, person, booking, moved, entry, case


def _every_kind(now, person, booking, moved, entry, case):
    """One call of each public builder, by the kind of message it queues."""
    base_url = "https://book.example.org"
    return {
        "booking_confirmed": lambda: messages.booking_confirmed(
            booking, now=now, base_url=base_url
        ),
        "booking_rescheduled": lambda: messages.booking_rescheduled(
            booking, moved, now=now, base_url=base_url
        ),
        "booking_reminder": lambda: messages.booking_reminder(moved, now=now, base_url=base_url),
        "booking_reminder_today": lambda: messages.booking_reminder_today(
            moved, now=now, base_url=base_url
        ),
        "attendance_check": lambda: messages.attendance_check(booking, now=now, base_url=base_url),
        "booking_cancelled": lambda: messages.booking_cancelled(booking, now=now),
        "session_cancelled": lambda: messages.session_cancelled(booking, now=now),
        "waitlist_offer": lambda: messages.waitlist_offer(
            entry, now=now, claim_url=f"{base_url}/waiting-list/claim/token-1"
        ),
        "referral_overdue": lambda: messages.referral_overdue(case, now=now),
        "waiver_decided": lambda: messages.waiver_decided(
            booking, approved=False, due_pence=3000, days_to_pay=7, reason="", now=now
        ),
        "access_link": lambda: messages.access_link(person, link=f"{base_url}/my/x", now=now),
        "password_reset": lambda: messages.password_reset(person, link=f"{base_url}/r", now=now),
        "payment_refunded": lambda: messages.payment_refunded(booking, now=now),
        "account_exists": lambda: messages.account_exists(person, now=now),
        "referral_rebook": lambda: messages.referral_rebook(
            case, choose_url=f"{base_url}/referral/start", now=now
        ),
        "referral_deadline": lambda: messages.referral_deadline(
            case, days_left=7, choose_url=f"{base_url}/referral/start", now=now
        ),
        "session_changed": lambda: messages.session_changed(booking, now=now, base_url=base_url),
        "trainer_session_changed": lambda: messages.trainer_session_changed(
            person, booking.session, taken_off=True, now=now
        ),
        "trainer_released": lambda: messages.trainer_released(person, [booking.session], now=now),
        "sessions_changed": lambda: digests.sessions_changed(
            person, [booking, moved], now=now, base_url=base_url
        ),
        "sessions_cancelled": lambda: digests.sessions_cancelled(
            person, [(booking, "Nothing was paid."), (moved, "")], now=now
        ),
        "trainer_sessions_changed": lambda: digests.trainer_sessions_changed(
            person, kept=[moved.session], taken_off=[booking.session], now=now
        ),
        "trainer_sessions_cancelled": lambda: digests.trainer_sessions_cancelled(
            person, [booking.session, moved.session], now=now
        ),
        "trainer_rota": lambda: digests.trainer_rota(
            person, added=[(moved.session, True), (booking.session, False)], removed=[], now=now
        ),
        "pay_link": lambda: messages.pay_link(
            moved, link=f"{base_url}/referral/link/x", due_pence=3000, now=now
        ),
        "staff_invite": lambda: messages.staff_invite(
            person, link=f"{base_url}/account/invite/x", role_name="a trainer", days=7, now=now
        ),
        "trainer_assigned": lambda: messages.trainer_assigned(
            person, moved.session, is_lead=True, now=now
        ),
        "trainer_unassigned": lambda: messages.trainer_unassigned(person, booking.session, now=now),
        "trainer_session_cancelled": lambda: messages.trainer_session_cancelled(
            person, booking.session, now=now
        ),
        "session_message": lambda: messages.session_message(
            booking, text="Please bring a pen.", now=now
        ),
        "after_course": lambda: messages.after_course(
            booking, [booking.session], now=now, base_url=base_url
        ),
        "missed_session": lambda: messages.missed_session(
            booking, [booking.session], now=now, base_url=base_url
        ),
        **{
            kind: lambda kind=kind: wording.queue_contact(
                person, case, kind=kind, now=now, link=f"{base_url}/referral/link/x"
            )
            for kind in wording.KINDS
        },
    }


def test_every_kind_has_one_template_and_one_neutral_subject(db):
    kinds = set(_every_kind(*message_world(db)))
    templates = {
        path.stem
        for path in (ROOT / "templates" / "messages").glob("*.txt")
        if not path.name.startswith("_")
    }
    assert kinds == set(NEUTRAL_SUBJECTS) == templates
    for subject in [*NEUTRAL_SUBJECTS.values(), FALLBACK_SUBJECT, MailSettings().sender_name]:
        assert sensitive_words(subject) == [], subject


def test_every_message_renders_with_a_neutral_subject_preview_and_calendar_title(db):
    world = message_world(db)
    for kind, build in _every_kind(*world).items():
        message = build()
        assert message is not None, kind
        assert message.kind == kind
        assert message.subject == NEUTRAL_SUBJECTS[kind]
        assert message.body.startswith(f"Hello {world[1].first_name},"), kind
        assert sensitive_words(message.subject) == [], kind
        assert sensitive_words(message.body[:PREVIEW_LENGTH]) == [], kind
        assert "{{" not in message.body and "{%" not in message.body, kind
        if message.ics_attachment:
            summary = re.search(r"^SUMMARY:(.*)$", message.ics_attachment, re.MULTILINE)
            assert summary and sensitive_words(summary.group(1)) == [], kind


def test_messages_about_a_booking_say_when_and_where_or_how_to_join(db):
    now, person, booking, moved, entry, case = message_world(db)
    built = {
        kind: build()
        for kind, build in _every_kind(now, person, booking, moved, entry, case).items()
    }

    for kind in ("booking_confirmed", "booking_cancelled", "session_cancelled", "waitlist_offer"):
        body = built[kind].body
        assert all(text in body for text in _when_shown(booking.session.starts_at)), kind
    for kind in ("booking_confirmed", "booking_cancelled", "session_cancelled", "waiver_decided"):
        assert booking.reference in built[kind].body, kind
    venue = booking.session.venue
    assert f"{venue.name}, {venue.address}, {venue.postcode}" in built["booking_confirmed"].body
    for kind in ("booking_rescheduled", "booking_reminder"):
        body = built[kind].body
        assert all(text in body for text in _when_shown(moved.session.starts_at)), kind
        assert "https://meet.example.org/room-1" in body, kind
        assert moved.reference in body
    assert all(
        text in built["booking_rescheduled"].body for text in _when_shown(booking.session.starts_at)
    )
    for kind in ("booking_confirmed", "booking_rescheduled", "booking_reminder"):
        assert "BEGIN:VCALENDAR" in built[kind].ics_attachment, kind
        assert "https://book.example.org/my/bookings" in built[kind].body, kind
    assert "https://meet.example.org/room-1" in built["trainer_assigned"].body
    for kind in ("trainer_unassigned", "trainer_session_cancelled", "session_message"):
        body = built[kind].body
        assert all(text in body for text in _when_shown(booking.session.starts_at)), kind
    assert "Please bring a pen." in built["session_message"].body


def test_no_message_wording_is_written_outside_the_templates():
    """Services queue messages through notify.messages, so every body comes from a template."""
    direct = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "booking").rglob("*.py")
        if "outbox.queue(" in path.read_text() and path.parent.name != "notify"
    ]
    assert direct == []


def _names_used(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.name)
    return names


def test_every_message_a_service_can_queue_is_queued_by_the_app():
    """A message builder nothing calls is wording nobody receives (and a template to keep)."""
    folder = ROOT / "booking" / "services" / "notify"
    builders = {
        (path, node.name)
        for path in folder.rglob("*.py")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and any(
            isinstance(call, ast.Call) and getattr(call.func, "id", "") in QUEUEING
            for call in ast.walk(node)
        )
    }
    assert len(builders) > 20  # the detector finds the builders
    modules = list((ROOT / "booking").rglob("*.py"))
    uses = {path: _names_used(path) for path in modules}
    unused = [
        name
        for defined_in, name in builders
        if not any(name in uses[path] for path in modules if path != defined_in)
    ]
    assert sorted(unused) == []


QUEUEING = {"_queue", "_about_a_booking", "_queue_rows", "_row"}


def _reminded_booking(db):
    """A person (email first, texts safe) booked on a session with a reminder still waiting in
    the outbox, and another date of the same course to move to."""
    now = utcnow().replace(microsecond=0)
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)
    course = factories.course_type()
    first = factories.course_session(course_type_row=course)
    later = factories.course_session(
        course_type_row=course, starts_at=first.starts_at + timedelta(days=7)
    )
    booking = bookings.book_session(first.id, person, now=now)
    reminder = messages.booking_reminder(booking, now=now, base_url="https://book.example.org")
    db.session.flush()
    assert reminder is not None and reminder.status == NotificationStatus.PENDING
    return now, person, booking, later, reminder.id


def _pending(db, kind, booking_id):
    return db.session.scalars(
        select(Notification).where(
            Notification.kind == kind,
            Notification.booking_id == booking_id,
            Notification.status == NotificationStatus.PENDING,
        )
    ).all()


def test_a_move_takes_back_the_unsent_reminder_about_the_old_date(db):
    now, person, booking, later, _ = _reminded_booking(db)

    new = rescheduling.reschedule(
        booking.id,
        later.id,
        person,
        now=now,
        min_notice_hours=24,
        hold_minutes=30,
        base_url="https://book.example.org",
        policy=factories.ENDING_POLICY,
    )
    db.session.flush()

    # Only the message about the new date goes: not an old reminder alongside it.
    assert _pending(db, "booking_reminder", booking.id) == []
    assert _pending(db, "booking_rescheduled", new.id)


def test_cancelling_takes_back_the_unsent_reminder(db):
    now, person, booking, _, _ = _reminded_booking(db)

    cancellation.cancel_by_attendee(booking.id, person, now=now, policy=factories.ENDING_POLICY)
    db.session.flush()

    assert _pending(db, "booking_reminder", booking.id) == []
    assert _pending(db, "booking_cancelled", booking.id)


def test_a_message_already_sent_is_left_as_it_was(db):
    now, person, booking, _, reminder_id = _reminded_booking(db)
    reminder = db.session.get(Notification, reminder_id)
    reminder.status, reminder.sent_at = NotificationStatus.SENT, now
    db.session.flush()

    cancellation.cancel_by_attendee(booking.id, person, now=now, policy=factories.ENDING_POLICY)
    db.session.flush()

    assert db.session.get(Notification, reminder_id).status == NotificationStatus.SENT


def test_a_changed_session_takes_back_the_unsent_reminder_with_the_old_time(db):
    now, person, booking, _, _ = _reminded_booking(db)
    booking.reminder_sent_at = now
    course_session = booking.session
    course_session.starts_at += timedelta(days=3)
    course_session.ends_at += timedelta(days=3)

    changes.after_change(
        course_session,
        moved=True,
        by=factories.user(Role.ADMIN),
        now=now,
        base_url="https://book.example.org",
    )
    db.session.flush()

    assert _pending(db, "booking_reminder", booking.id) == []
    assert _pending(db, "session_changed", booking.id)
    # The reminder goes again, nearer the new time.
    assert booking.reminder_sent_at is None
