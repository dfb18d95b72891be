"""The pages of each way to a seat apply the same rules: a referred person booking from the
catalogue, a women-only group chosen by referral, and a women-only place claimed from the
waiting list."""

import secrets
from datetime import timedelta

import pytest

from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    ReferralStatus,
    Role,
    Scheme,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from tests import factories
from tests.referral_factories import referral as make_referral

pytestmark = pytest.mark.database


def _answered(db, person, *, wants_women_only=False):
    db.session.add(AttendeeProfile(user_id=person.id, prefers_women_only=wants_women_only))
    db.session.flush()


def _soon(days):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


def test_a_referred_person_booking_from_the_catalogue_is_booked_against_the_referral(
    client, db, auth
):
    person = auth.login_as(Role.ATTENDEE)
    _answered(db, person)
    force = factories.force()
    venue = factories.venue(force)
    course = factories.course_type(default_fee_pence=4500)
    scheme = Scheme(force_id=force.id, name="Diversion scheme", fee_pence=0)
    db.session.add(scheme)
    db.session.flush()
    referral = make_referral(
        force, course, user_id=person.id, scheme_id=scheme.id, deadline=_soon(20).date()
    )
    too_late = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(25)
    )
    fits = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(10))
    second = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(12))
    db.session.commit()

    # Said on the page before trying, and again if the form is sent anyway.
    late_page = client.get(f"/my/sessions/{too_late.id}/book").get_data(as_text=True)
    assert "ends after the date your referral must be completed by" in late_page
    assert "Book this session" not in late_page
    late = client.post(
        f"/my/sessions/{too_late.id}/book",
        headers={"Referer": f"http://localhost/my/sessions/{too_late.id}/book"},
        follow_redirects=True,
    )
    assert "ends after the date your referral must be completed by" in late.get_data(as_text=True)
    assert db.session.query(Booking).count() == 0

    # The scheme pays: the page shows no fee, and the place is confirmed at £0.
    assert "Free" in client.get(f"/my/sessions/{fits.id}/book").get_data(as_text=True)
    assert client.post(f"/my/sessions/{fits.id}/book").status_code == 303
    booking = db.session.query(Booking).filter_by(user_id=person.id).one()
    assert booking.referral_id == referral.id
    assert booking.status == BookingStatus.CONFIRMED and booking.fee_pence == 0
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.BOOKED

    again = client.post(
        f"/my/sessions/{second.id}/book",
        headers={"Referer": f"http://localhost/my/sessions/{second.id}/book"},
        follow_redirects=True,
    )
    assert "You already have a place booked for this referral" in again.get_data(as_text=True)
    assert db.session.query(Booking).filter_by(session_id=second.id).count() == 0


def test_a_referral_only_course_is_refused_to_someone_without_a_referral(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    _answered(db, person)
    course_session = factories.course_session(
        course_type_row=factories.course_type(referral_required=True)
    )
    db.session.commit()
    response = client.post(
        f"/my/sessions/{course_session.id}/book",
        headers={"Referer": f"http://localhost/my/sessions/{course_session.id}/book"},
        follow_redirects=True,
    )
    assert "only for people who have been referred to it" in response.get_data(as_text=True)
    assert db.session.query(Booking).count() == 0


def test_a_women_only_group_chosen_by_referral_needs_the_persons_confirmation(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    _answered(db, person, wants_women_only=True)
    force = factories.force()
    course = factories.course_type()
    make_referral(force, course, user_id=person.id)
    women_only = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force), women_only=True
    )
    db.session.commit()

    page = client.get("/referral/sessions").get_data(as_text=True)
    assert "Women-only group" in page
    assert f'id="confirm-women-only-{women_only.id}"' in page
    refused = client.post(
        f"/referral/sessions/{women_only.id}/book",
        headers={"Referer": "http://localhost/referral/sessions"},
        follow_redirects=True,
    )
    assert "This is a women-only group" in refused.get_data(as_text=True)
    assert db.session.query(Booking).count() == 0
    booked = client.post(
        f"/referral/sessions/{women_only.id}/book", data={"confirm_women_only": "y"}
    )
    assert booked.status_code == 303
    assert db.session.query(Booking).filter_by(session_id=women_only.id).count() == 1


def test_a_women_only_place_from_the_waiting_list_needs_the_persons_confirmation(client, db):
    course_session = factories.course_session(women_only=True, capacity=1)
    person = factories.user()
    now = utcnow()
    entry = WaitingListEntry(
        session_id=course_session.id,
        user_id=person.id,
        joined_at=now - timedelta(days=1),
        status=WaitingStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + timedelta(hours=24),
        claim_token=secrets.token_urlsafe(16),
    )
    db.session.add(entry)
    db.session.commit()
    claim_url = f"/waiting-list/claim/{entry.claim_token}"

    assert "I confirm this women-only group" in client.get(claim_url).get_data(as_text=True)
    refused = client.post(
        claim_url, headers={"Referer": f"http://localhost{claim_url}"}, follow_redirects=True
    )
    assert "This is a women-only group" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Booking).count() == 0
    assert db.session.get(WaitingListEntry, entry.id).status == WaitingStatus.OFFERED

    taken = client.post(claim_url, data={"confirm_women_only": "y"})
    assert taken.status_code == 303
    db.session.expire_all()
    assert db.session.query(Booking).filter_by(user_id=person.id).one().status == (
        BookingStatus.CONFIRMED
    )
