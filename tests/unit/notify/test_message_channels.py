"""Every kind of message, rendered in every channel: email, text message, letter and call.

Each is neutral (the course, drugs, alcohol and the police never appear where someone else may
see them: a text is all preview, a letter's opening shows through an envelope window, a call
starts before we know who answered), uses the person's chosen name, fits a text message where
possible, and, when it is about a booking, says its date, time and place (or joining link).
"""

import pytest

from booking.models import AttendeeProfile, Channel
from booking.services.clock import time_of_day
from booking.services.notify import wording
from booking.services.notify.outbox import NEUTRAL_SUBJECTS
from tests.unit.notify.test_messages import message_world, sensitive_words

pytestmark = pytest.mark.database

BASE_URL = "https://book.example.org"
ONE_TEXT = 160
TWO_TEXTS = 306  # a long text is sent as two parts of 153 characters
# Kinds whose text carries a long link or a venue (which can run long) as well as the date; all
# others must fit one text message.
MAY_TAKE_TWO_TEXTS = {
    "contact_first",
    "contact_nudge",
    "booking_confirmed",
    "booking_rescheduled",
    "booking_reminder",
    "booking_reminder_today",
    "attendance_check",
    "session_changed",
    # One message for several dates lists each date: longer than one text, still one message.
    "sessions_changed",
    "sessions_cancelled",
    "trainer_sessions_changed",
    "trainer_rota",
    "trainer_sessions_cancelled",
    "waitlist_offer",
    "password_reset",
    "session_cancelled",
    "booking_cancelled",
    "waiver_decided",
    "payment_refunded",
    "referral_rebook",
    "trainer_session_changed",
    "pay_link",
    "staff_invite",
    "session_message",
    "referral_deadline",
    "after_course",
    "missed_session",
    "trainer_assigned",
    "trainer_session_cancelled",
}
ABOUT_A_BOOKING = {
    "booking_confirmed",
    "booking_rescheduled",
    "booking_reminder",
    "booking_reminder_today",
    "attendance_check",
    "session_changed",
    "waitlist_offer",
}


def _contexts(now, booking, moved, entry, case):
    def about(chosen):
        return dict(booking=chosen, session=chosen.session, manage_url=f"{BASE_URL}/my/bookings")

    ended = dict(booking=booking, session=booking.session, note="")
    return {
        "booking_confirmed": {**about(booking), "via": ""},
        "booking_rescheduled": {**about(moved), "old_session": booking.session},
        "booking_reminder": about(moved),
        "booking_reminder_today": about(booking),
        "attendance_check": about(booking),
        "booking_cancelled": ended,
        "session_cancelled": ended,
        "waitlist_offer": dict(
            session=entry.session,
            expires_at=entry.offer_expires_at,
            claim_url=f"{BASE_URL}/waiting-list/claim/token-1",
        ),
        "referral_overdue": {},
        "waiver_decided": dict(
            booking=booking,
            approved=False,
            due_pence=3000,
            days_to_pay=7,
            reason="",
            booking_url=f"{BASE_URL}/my/bookings/x",
        ),
        "access_link": dict(link=f"{BASE_URL}/referral/link/abc"),
        "password_reset": dict(link=f"{BASE_URL}/account/reset-password/abc"),
        "payment_refunded": dict(booking=booking, covered=""),
        "account_exists": {"booked_as_guest": True},
        "referral_rebook": dict(deadline=case.deadline, choose_url=f"{BASE_URL}/referral/start"),
        "session_changed": about(booking),
        "trainer_session_changed": dict(session=booking.session, taken_off=True),
        "trainer_released": dict(sessions=[booking.session]),
        "trainer_assigned": dict(session=booking.session, is_lead=True),
        "trainer_unassigned": dict(session=booking.session),
        "trainer_session_cancelled": dict(session=booking.session),
        "session_message": dict(booking=booking, session=booking.session, text="Bring a pen."),
        "pay_link": dict(booking=booking, link=f"{BASE_URL}/referral/link/x", due_pence=3000),
        "staff_invite": dict(link=f"{BASE_URL}/account/invite/x", role_name="a trainer", days=7),
        "after_course": dict(
            booking=booking, sessions=[moved.session], booking_url=f"{BASE_URL}/my/bookings/x"
        ),
        "missed_session": dict(
            booking=booking, sessions=[moved.session], booking_url=f"{BASE_URL}/my/bookings/x"
        ),
        "referral_deadline": dict(
            days_left=7, deadline=case.deadline, choose_url=f"{BASE_URL}/referral/start"
        ),
        **{
            kind: dict(deadline=case.deadline, link=f"{BASE_URL}/referral/link/x")
            for kind in ("contact_first", "contact_nudge", "contact_day_before")
        },
        "sessions_changed": dict(bookings=[booking, moved], manage_url=f"{BASE_URL}/my/bookings"),
        "sessions_cancelled": dict(items=[(booking, "Nothing was paid."), (moved, "")]),
        "trainer_sessions_changed": dict(kept=[moved.session], taken_off=[booking.session]),
        "trainer_rota": dict(added=[(moved.session, True)], removed=[booking.session]),
        "trainer_sessions_cancelled": dict(sessions=[booking.session, moved.session]),
    }


@pytest.fixture
def rendered(db):
    now, person, booking, moved, entry, case = message_world(db)
    db.session.query(AttendeeProfile).filter_by(user_id=person.id).one().preferred_name = "Sam"
    contexts = _contexts(now, booking, moved, entry, case)
    assert set(contexts) == set(NEUTRAL_SUBJECTS)
    out = {}
    for kind, context in contexts.items():
        out[kind] = {
            Channel.EMAIL: wording.render(kind, name="Sam", **context),
            Channel.TEXT: wording.render_text(kind, name="Sam", **context),
            Channel.LETTER: wording.render_letter(kind, name="Sam", **context),
            Channel.CALL: wording.render_call(kind, name="Sam", voicemail=True, **context),
        }
    return out, booking, moved, entry


def test_every_kind_has_wording_in_every_channel_with_the_chosen_name(rendered):
    out, *_ = rendered
    for kind, bodies in out.items():
        assert bodies[Channel.EMAIL].startswith("Hello Sam,"), kind
        assert bodies[Channel.TEXT].startswith("Hello Sam,"), kind
        assert bodies[Channel.LETTER].startswith("Dear Sam,"), kind
        assert bodies[Channel.CALL].startswith("Ask to speak to Sam."), kind
        for channel, body in bodies.items():
            assert "{{" not in body and "{%" not in body and "Person" not in body, (kind, channel)


def test_nothing_anyone_else_might_see_names_the_course_or_the_police(rendered):
    out, *_ = rendered
    for kind, bodies in out.items():
        assert sensitive_words(bodies[Channel.TEXT]) == [], kind  # a text is all preview
        assert sensitive_words(bodies[Channel.LETTER][:ONE_TEXT]) == [], kind
        assert sensitive_words(bodies[Channel.EMAIL][:ONE_TEXT]) == [], kind
        # The whole call script: it is read aloud, maybe to whoever answers.
        assert sensitive_words(bodies[Channel.CALL]) == [], kind


def test_the_voicemail_names_nothing_but_the_person_and_a_number(rendered):
    out, *_ = rendered
    for kind, bodies in out.items():
        voicemail = bodies[Channel.CALL].split("leave this message and nothing else:")[1]
        assert "booking" not in voicemail.lower() and "session" not in voicemail.lower(), kind
        assert wording.CONTACT_PHONE in voicemail


def test_texts_fit_one_message_where_possible(rendered):
    out, *_ = rendered
    for kind, bodies in out.items():
        limit = TWO_TEXTS if kind in MAY_TAKE_TWO_TEXTS else ONE_TEXT
        assert len(bodies[Channel.TEXT]) <= limit, (kind, len(bodies[Channel.TEXT]))


def test_messages_about_a_booking_say_when_and_where_in_every_channel(rendered):
    out, booking, moved, entry = rendered
    sessions = {
        "booking_rescheduled": moved.session,
        "booking_reminder": moved.session,
        "waitlist_offer": entry.session,
    }
    for kind in ABOUT_A_BOOKING:
        session = sessions.get(kind, booking.session)
        for channel, body in out[kind].items():
            assert time_of_day(session.starts_at) in body, (kind, channel)
            if session.is_online:
                if kind != "waitlist_offer":
                    # A call script never reads out a web address: staff help on the call.
                    wanted = "do not read it out" if channel == "call" else session.online_join_url
                    assert wanted in body, (kind, channel)
            else:
                assert session.venue.name in body, (kind, channel)
                assert session.venue.postcode in body, (kind, channel)


def test_letters_say_call_us_instead_of_reply_and_mention_no_attachment(rendered):
    out, *_ = rendered
    for kind, bodies in out.items():
        letter = bodies[Channel.LETTER]
        assert "reply to this message" not in letter and "attached" not in letter, kind
