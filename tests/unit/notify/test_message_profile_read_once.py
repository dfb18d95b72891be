"""A message reads the person's profile once, for its channel, name, voicemail and safe hours."""

from datetime import datetime

from booking.models import AttendeeProfile, Booking, BookingStatus, Channel, Notification, Role
from booking.services.clock import LONDON
from booking.services.notify import messages
from tests import factories


def test_a_confirmation_by_text_at_night_reads_the_profile_once_and_waits_for_morning(
    db, count_queries
):
    person = factories.user(Role.ATTENDEE)
    db.session.add(
        AttendeeProfile(
            user_id=person.id,
            preferred_name="Sam",
            text_is_safe=True,
            phone_number="07700900123",
            voicemail_is_safe=True,
        )
    )
    booking = Booking(
        reference="PROFILE1",
        session_id=factories.course_session().id,
        user_id=person.id,
        status=BookingStatus.CONFIRMED,
    )
    db.session.add(booking)
    db.session.flush()
    late_evening = datetime(2026, 3, 3, 23, 0, tzinfo=LONDON)

    with count_queries() as counter:
        messages.booking_confirmed(booking, now=late_evening)
        db.session.flush()

    profile_reads = [s for s in counter.statements if "FROM attendee_profiles" in s]
    assert len(profile_reads) == 1, counter.statements
    sent = db.session.query(Notification).filter_by(booking_id=booking.id).one()
    assert sent.channel == Channel.TEXT
    assert "Sam" in sent.body
    assert sent.next_attempt_at.astimezone(LONDON).hour == 9
