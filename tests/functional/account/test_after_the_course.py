"""After the course: further support for a person who completed it, a calm offer of another
date for a person who did not attend; on the booking page, the certificate and in a message."""

import pytest
from sqlalchemy import select

from booking.models import Booking, BookingStatus, Notification, Role
from tests import factories
from tests.referral_factories import make_email_safe
from tests.trainer_factories import (
    assign,
    confirmed_booking,
    started_session,
    trainer_profile,
)

pytestmark = pytest.mark.database


def _close(client, auth, session, marks) -> None:
    me = trainer_profile()
    assign(session, me)
    auth.login_as(user=me.user)
    data = {f"attendance-{booking.id}": mark for booking, mark in marks}
    assert client.post(f"/trainer/sessions/{session.id}/attendance", data=data).status_code == 303
    assert client.post(f"/trainer/sessions/{session.id}/close").status_code == 303
    auth.logout()


def test_completing_offers_the_next_support_sessions_bookable_in_one_step(client, auth, db):
    here = factories.venue()
    session = started_session(venue_row=here)
    support = factories.course_type(name="Peer support group", referral_required=False)
    nearby = factories.course_session(course_type_row=support, venue_row=here)
    online = factories.course_session(course_type_row=support, online=True)
    elsewhere = factories.course_session(course_type_row=support)  # another force's venue
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)
    booking = confirmed_booking(session, person)
    _close(client, auth, session, [(booking, "attended")])

    [message] = db.session.scalars(
        select(Notification).where(Notification.kind == "after_course")
    ).all()
    assert message.subject == "What next, if you would like it"
    assert message.body.count("Peer support group") == 2  # near them and online only
    for word in ("police", "drug", "alcohol"):
        assert word not in message.subject.lower()

    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "More support, if you would like it" in page
    assert f'action="/my/sessions/{nearby.id}/book"' in page
    assert f'action="/my/sessions/{online.id}/book"' in page
    assert f'action="/my/sessions/{elsewhere.id}/book"' not in page
    certificate = client.get(f"/my/certificates/{booking.reference}").get_data(as_text=True)
    assert f'action="/my/sessions/{nearby.id}/book"' in certificate

    assert client.post(f"/my/sessions/{nearby.id}/book", data={}).status_code == 303
    assert (
        db.session.scalar(
            select(Booking.status).where(
                Booking.user_id == person.id, Booking.session_id == nearby.id
            )
        )
        == BookingStatus.CONFIRMED
    )


def test_missing_the_session_brings_a_calm_offer_of_another_date(client, auth, db):
    here = factories.venue()
    course = factories.course_type(referral_required=False)
    session = started_session(course_type_row=course, venue_row=here)
    another = factories.course_session(course_type_row=course, venue_row=here)
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)
    booking = confirmed_booking(session, person)
    _close(client, auth, session, [(booking, "did_not_attend")])

    [message] = db.session.scalars(
        select(Notification).where(Notification.kind == "missed_session")
    ).all()
    assert "That is all right" in message.body
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "We missed you" in page
    assert f'action="/my/sessions/{another.id}/book"' in page


def test_catalogue_links_name_course_and_date_and_keep_the_filters(client, db):
    force = factories.force("hertfordshire")
    force.name = "Hertfordshire Constabulary"
    course_session = factories.course_session(venue_row=factories.venue(force))
    db.session.commit()
    results = client.get("/sessions?area=hertfordshire").get_data(as_text=True)
    assert "Hertfordshire (Hertfordshire Constabulary)" in results
    assert f'href="/sessions/{course_session.id}?area=hertfordshire"' in results
    assert "Cost: Free" in results
    page = client.get(f"/sessions/{course_session.id}?area=hertfordshire").get_data(as_text=True)
    assert 'href="/sessions?area=hertfordshire">Back to all sessions' in page


def test_dates_the_wrong_way_round_get_a_clear_error(client, db):
    response = client.get("/sessions?date_from=2027-03-10&date_to=2027-03-01")
    text = response.get_data(as_text=True)
    assert "There is a problem" in text
    assert "The “To” date must be the same as or after the “From” date." in text


def test_a_town_or_postcode_finds_sessions_in_that_area(client, db):
    herts = factories.force("hertfordshire")
    kent = factories.force("kent")
    here = factories.course_session(venue_row=factories.venue(herts))
    there = factories.course_session(venue_row=factories.venue(kent))
    db.session.commit()
    for typed in ("SG1 2AB", "Stevenage"):
        page = client.get("/sessions", query_string={"place": typed}).get_data(as_text=True)
        assert f'href="/sessions/{here.id}?' in page, typed
        assert f'href="/sessions/{there.id}?' not in page, typed
    unknown = client.get("/sessions?place=Atlantis").get_data(as_text=True)
    assert "We could not find that town or postcode." in unknown


def test_family_sessions_are_offered_to_pass_on_not_booked_for_the_person(client, auth, db):
    here = factories.venue()
    session = started_session(venue_row=here)
    peer = factories.course_type(name="Peer support group", referral_required=False)
    family = factories.course_type(
        slug="family-support", name="Family and carers support", referral_required=False
    )
    peer_session = factories.course_session(course_type_row=peer, venue_row=here)
    family_session = factories.course_session(course_type_row=family, venue_row=here)
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)
    booking = confirmed_booking(session, person)
    _close(client, auth, session, [(booking, "attended")])

    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert f'action="/my/sessions/{peer_session.id}/book"' in page
    assert f'action="/my/sessions/{family_session.id}/book"' not in page
    assert "For the people close to you" in page
    assert f"/sessions?course_type={family.slug}" in page
