"""Self-service: reschedule as one swap, calendar download, waiting lists and offers."""

from datetime import timedelta

import pytest

from booking.models import (
    Booking,
    BookingStatus,
    Notification,
    Role,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import cancellation, waitlist
from booking.services.bookings import seats as bookings
from tests import factories
from tests.referral_factories import make_email_safe

pytestmark = pytest.mark.database


def _booked(person, course_session):
    return bookings.book_session(course_session.id, person, now=utcnow())


def test_reschedule_moves_the_seat_and_links_old_and_new(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    course = factories.course_type()
    venue = factories.venue()
    old_session = factories.course_session(course_type_row=course, venue_row=venue)
    new_session = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=old_session.starts_at + timedelta(days=3)
    )
    old = _booked(person, old_session)
    db.session.commit()

    page = client.get(f"/my/bookings/{old.reference}/reschedule").get_data(as_text=True)
    check_url = f"/my/bookings/{old.reference}/reschedule/{new_session.id}"
    assert "Choose this date" in page and check_url in page
    check = client.get(check_url).get_data(as_text=True)
    assert "You are moving from" in check and "There is nothing more to pay" in check
    response = client.post(
        f"/my/bookings/{old.reference}/reschedule", data={"session_id": new_session.id}
    )
    assert response.status_code == 303
    db.session.expire_all()
    new = db.session.query(Booking).filter_by(session_id=new_session.id).one()
    assert response.headers["Location"].endswith(f"/my/bookings/{new.reference}")
    assert new.status == BookingStatus.CONFIRMED
    assert new.rescheduled_from_id == old.id
    assert db.session.get(Booking, old.id).status == BookingStatus.CANCELLED


def test_reschedule_to_a_full_session_keeps_the_original_place(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    course = factories.course_type()
    old_session = factories.course_session(course_type_row=course)
    full = factories.course_session(course_type_row=course, capacity=1)
    _booked(factories.user(), full)
    old = _booked(person, old_session)
    db.session.commit()

    response = client.post(
        f"/my/bookings/{old.reference}/reschedule",
        data={"session_id": full.id},
        headers={"Referer": f"http://localhost/my/bookings/{old.reference}/reschedule"},
        follow_redirects=True,
    )
    assert "this session is full" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, old.id).status == BookingStatus.CONFIRMED
    assert db.session.query(Booking).filter_by(user_id=person.id).count() == 1


def test_reschedule_refused_inside_the_minimum_notice(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    course = factories.course_type()
    soon = factories.course_session(
        course_type_row=course, starts_at=utcnow().replace(microsecond=0) + timedelta(hours=20)
    )
    later = factories.course_session(course_type_row=course)
    old = _booked(person, soon)
    db.session.commit()
    response = client.post(
        f"/my/bookings/{old.reference}/reschedule",
        data={"session_id": later.id},
        follow_redirects=True,
    )
    assert "too close to the session" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, old.id).status == BookingStatus.CONFIRMED


def test_calendar_download_is_a_neutral_ics_for_my_booking_only(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    booking = _booked(person, factories.course_session())
    someone_else = _booked(factories.user(), factories.course_session())
    db.session.commit()
    response = client.get(f"/my/bookings/{booking.reference}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "SUMMARY:Your booking" in body
    assert booking.session.course_type.name not in body
    assert client.get(f"/my/bookings/{someone_else.reference}/calendar.ics").status_code == 404


def test_a_cancelled_place_is_offered_to_the_next_person_and_held_for_them(client, db, auth):
    course_session = factories.course_session(capacity=1)
    leaver = factories.user()
    booking = _booked(leaver, course_session)
    first, second, walk_in = factories.user(), factories.user(), factories.user()
    make_email_safe(first)
    db.session.commit()

    auth.login_as(user=first)
    assert client.post(f"/my/sessions/{course_session.id}/waiting-list").status_code == 303
    auth.logout()
    auth.login_as(user=second)
    client.post(f"/my/sessions/{course_session.id}/waiting-list")
    assert "Leave the waiting list" in client.get("/my/waiting-lists").get_data(as_text=True)
    auth.logout()

    auth.login_as(user=leaver)
    client.post(f"/my/bookings/{booking.reference}/cancel")
    auth.logout()
    db.session.expire_all()
    offered = db.session.query(WaitingListEntry).filter_by(user_id=first.id).one()
    assert offered.status == WaitingStatus.OFFERED
    assert offered.offer_expires_at - offered.offered_at == timedelta(hours=24)
    offer_email = db.session.query(Notification).filter_by(kind="waitlist_offer").one()
    assert offer_email.subject == "A place is available for you"
    assert f"/waiting-list/claim/{offered.claim_token}" in offer_email.body

    # The open offer counts against capacity: a walk-in booker finds the session full.
    auth.login_as(user=walk_in)
    response = client.post(f"/my/sessions/{course_session.id}/book", follow_redirects=True)
    assert "this session is full" in response.get_data(as_text=True)
    auth.logout()

    claimed = client.post(f"/waiting-list/claim/{offered.claim_token}")
    assert claimed.status_code == 303
    db.session.expire_all()
    mine = db.session.query(Booking).filter_by(user_id=first.id).one()
    assert mine.status == BookingStatus.CONFIRMED
    assert claimed.headers["Location"].endswith(f"/my/bookings/{mine.reference}")
    confirmation = db.session.query(Notification).filter_by(kind="booking_confirmed").one()
    assert confirmation.user_id == first.id and "BEGIN:VCALENDAR" in confirmation.ics_attachment
    assert client.post(f"/waiting-list/claim/{offered.claim_token}").status_code in (303, 409)
    # The link again, for the person who holds the place: it says so, not "no longer available".
    again = client.get(f"/waiting-list/claim/{offered.claim_token}").get_data(as_text=True)
    assert "You have this place" in again and "no longer available" not in again
    assert db.session.query(Booking).filter_by(user_id=first.id).count() == 1


def test_an_unclaimed_offer_passes_to_the_next_person(app, client, db):
    course_session = factories.course_session(capacity=1)
    leaver, first, second = factories.user(), factories.user(), factories.user()
    booking = _booked(leaver, course_session)
    now = utcnow()
    waitlist.join(course_session.id, first, now=now)
    waitlist.join(course_session.id, second, now=now + timedelta(seconds=1))
    ending = cancellation.end_booking(
        booking, reason="attendee", by=leaver, now=now, policy=factories.ENDING_POLICY
    )
    assert ending.offers_made == 1
    token = db.session.query(WaitingListEntry).filter_by(user_id=first.id).one().claim_token
    db.session.commit()

    later = now + timedelta(hours=25)
    assert waitlist.expire_offers(now=later, policy=factories.ENDING_POLICY) == 1
    db.session.commit()
    entries = {e.user_id: e for e in db.session.query(WaitingListEntry)}
    assert entries[first.id].status == WaitingStatus.EXPIRED
    assert entries[second.id].status == WaitingStatus.OFFERED
    assert entries[second.id].offer_expires_at == later + timedelta(hours=24)
    # Running it again changes nothing; the old link now says the offer has ended.
    assert waitlist.expire_offers(now=later, policy=factories.ENDING_POLICY) == 0
    page = client.get(f"/waiting-list/claim/{token}").get_data(as_text=True)
    assert "This offer has ended" in page


def test_leaving_the_list_with_an_offer_passes_it_on(db):
    course_session = factories.course_session(capacity=1)
    leaver, first, second = factories.user(), factories.user(), factories.user()
    booking = _booked(leaver, course_session)
    now = utcnow()
    entry = waitlist.join(course_session.id, first, now=now)
    waitlist.join(course_session.id, second, now=now + timedelta(seconds=1))
    cancellation.end_booking(
        booking, reason="attendee", by=leaver, now=now, policy=factories.ENDING_POLICY
    )
    waitlist.leave(entry.id, first, now=now, policy=factories.ENDING_POLICY)
    statuses = {e.user_id: e.status for e in db.session.query(WaitingListEntry)}
    assert statuses == {first.id: WaitingStatus.LEFT, second.id: WaitingStatus.OFFERED}


def test_cannot_join_the_list_of_a_session_with_places(client, db, auth):
    course_session = factories.course_session(capacity=2)
    db.session.commit()
    auth.login_as(Role.ATTENDEE)
    response = client.post(f"/my/sessions/{course_session.id}/waiting-list", follow_redirects=True)
    assert "you can book it now" in response.get_data(as_text=True)
    assert db.session.query(WaitingListEntry).count() == 0
