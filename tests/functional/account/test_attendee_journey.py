"""Preferences asked once, women-only first and confirmed, one hold extension, quick exit."""

import re
from datetime import timedelta

from sqlalchemy import select

from booking.models import AttendeeProfile, AuditEvent, Booking, BookingStatus, Role, utcnow
from booking.web.filters import short_date
from tests import factories


def _profile(db, person):
    return db.session.scalar(select(AttendeeProfile).where(AttendeeProfile.user_id == person.id))


def _answer(client, **extra):
    data = {"women_only": "no"}
    data.update(extra)
    return client.post("/my/preferences", data=data)


def test_booking_never_sends_a_person_to_the_questions_and_answers_are_kept(client, auth, db):
    session = factories.course_session()
    person = auth.login_as(Role.ATTENDEE)
    first = client.get(f"/my/sessions/{session.id}/book")
    assert first.status_code == 200
    assert "Book this session" in first.get_data(as_text=True)

    saved = client.post(
        "/my/preferences",
        data={
            "women_only": "yes",
            "text_is_safe": "y",
            "phone_number": "07700 900123",
            "needs_step_free": "y",
            "interpreter_language": "Polish",
            "next": f"/my/sessions/{session.id}/book",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/my/sessions/{session.id}/book"
    profile = _profile(db, person)
    assert profile.prefers_women_only is True
    assert (profile.text_is_safe, profile.email_is_safe) == (True, False)
    assert profile.phone_number == "07700 900123"
    assert profile.needs_step_free and profile.interpreter_language == "Polish"

    # The page is pre-filled when they come back to change it: nothing asked twice.
    page = client.get("/my/preferences").get_data(as_text=True)
    assert 'value="07700 900123"' in page
    assert 'value="Save my answers"' in page
    assert re.search(r'<input checked[^>]*value="yes"', page)


def test_preferences_audit_says_they_changed_never_what_they_are(client, auth, db):
    person = auth.login_as(Role.ATTENDEE)
    _answer(client, other_needs="I use a wheelchair")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "profile.preferences_saved")
    )
    assert event.actor_id == person.id
    assert "wheelchair" not in str(event.detail)


def test_a_safe_phone_channel_needs_a_number_and_nothing_is_saved(client, auth, db):
    person = auth.login_as(Role.ATTENDEE)
    response = _answer(client, text_is_safe="y")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#phone_number"' in page
    assert "Enter a phone number, or untick phone, text and voicemail." in page
    assert _profile(db, person) is None  # nothing saved


def test_the_women_only_question_may_be_skipped_and_means_no_preference(client, auth, db):
    person = auth.login_as(Role.ATTENDEE)
    page = client.get("/my/preferences").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="no_preference"', page)
    assert client.post("/my/preferences", data={}).status_code == 303
    assert _profile(db, person).prefers_women_only is False


def test_booking_a_women_only_group_needs_confirmation(client, auth, db):
    session = factories.course_session(women_only=True)
    person = auth.login_as(Role.ATTENDEE)
    _answer(client, women_only="yes")

    refused = client.post(f"/my/sessions/{session.id}/book", data={})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This is a women-only group. Tick the box to confirm it is right for you" in page
    assert 'href="#confirm_women_only"' in page
    assert db.session.scalar(select(Booking).where(Booking.user_id == person.id)) is None

    booked = client.post(f"/my/sessions/{session.id}/book", data={"confirm_women_only": "y"})
    assert booked.status_code == 303
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    assert booking.status == BookingStatus.CONFIRMED


def test_a_mixed_session_needs_no_confirmation(client, auth, db):
    session = factories.course_session()
    auth.login_as(Role.ATTENDEE)
    _answer(client)
    page = client.get(f"/my/sessions/{session.id}/book").get_data(as_text=True)
    assert "women-only group is right for me" not in page
    assert client.post(f"/my/sessions/{session.id}/book", data={}).status_code == 303


def _results(client) -> str:
    return client.get("/sessions").get_data(as_text=True).split('class="session-list"')[1]


def test_women_only_sessions_come_first_only_for_people_who_asked(client, auth, db):
    soon = utcnow() + timedelta(days=2)
    factories.course_session(
        starts_at=soon, course_type_row=factories.course_type(name="Course W-SOON")
    )
    factories.course_session(
        starts_at=soon + timedelta(days=5),
        women_only=True,
        course_type_row=factories.course_type(name="Course W-LATER"),
    )
    anonymous = _results(client)
    assert anonymous.index("Course W-SOON") < anonymous.index("Course W-LATER")

    auth.login_as(Role.ATTENDEE)
    _answer(client, women_only="yes")
    mine = _results(client)
    assert mine.index("Course W-LATER") < mine.index("Course W-SOON")
    note = "Women-only groups are shown first, as you asked."
    assert note in client.get("/sessions").get_data(as_text=True)


def test_catalogue_query_count_does_not_grow_with_women_first(client, auth, db, count_queries):
    auth.login_as(Role.ATTENDEE)
    _answer(client, women_only="yes")
    factories.course_session(women_only=True)
    with count_queries() as few:
        client.get("/sessions")
    for _ in range(6):
        factories.course_session(women_only=True)
        factories.course_session()
    with count_queries() as many:
        client.get("/sessions")
    assert many.count == few.count


def _paid_booking(client, auth, db):
    fee_type = factories.course_type(default_fee_pence=3000)
    session = factories.course_session(course_type_row=fee_type)
    person = auth.login_as(Role.ATTENDEE)
    _answer(client)
    client.post(f"/my/sessions/{session.id}/book", data={})
    return person, db.session.scalar(select(Booking).where(Booking.user_id == person.id))


def test_a_held_place_can_be_given_more_time_ten_times_when_running_out(client, auth, db):
    person, booking = _paid_booking(client, auth, db)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Your place is held until" in page
    assert "Give me 30 more minutes" in page
    assert "You can ask for more time 10 more times." in page

    for used in range(1, 11):
        # Each time the hold is nearly up again: five minutes left.
        booking.hold_expires_at = utcnow() + timedelta(minutes=5)
        db.session.commit()
        before = booking.hold_expires_at
        extended = client.post(f"/my/bookings/{booking.reference}/more-time")
        assert extended.status_code == 303
        db.session.refresh(booking)
        assert booking.hold_expires_at == before + timedelta(minutes=30)
        assert booking.hold_extensions == used

    booking.hold_expires_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Give me 30 more minutes" not in page
    assert "You have had all the extra time we can give online." in page
    again = client.post(
        f"/my/bookings/{booking.reference}/more-time",
        headers={"Referer": f"/my/bookings/{booking.reference}"},
        follow_redirects=True,
    )
    assert "You have had all the extra time we can give online." in again.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.hold_extensions == 10


def test_a_long_hold_shows_its_date_and_offers_no_more_time(client, auth, db):
    person, booking = _paid_booking(client, auth, db)
    booking.hold_expires_at = utcnow() + timedelta(days=7)
    db.session.commit()
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert f"on {short_date(booking.hold_expires_at)}</h2>" in page
    assert "more minutes" not in page
    response = client.post(
        f"/my/bookings/{booking.reference}/more-time",
        headers={"Referer": f"/my/bookings/{booking.reference}"},
        follow_redirects=True,
    )
    assert "Your place is held for a while yet." in response.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.hold_extensions == 0


def test_an_expired_or_confirmed_hold_cannot_be_extended(client, auth, db):
    person, booking = _paid_booking(client, auth, db)
    booking.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(
        f"/my/bookings/{booking.reference}/more-time",
        headers={"Referer": f"/my/bookings/{booking.reference}"},
    )
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.hold_extended is False


def test_someone_else_cannot_extend_my_hold(client, auth, db):
    _, booking = _paid_booking(client, auth, db)
    auth.logout()
    auth.login_as(Role.ATTENDEE)
    assert client.post(f"/my/bookings/{booking.reference}/more-time").status_code == 404
    db.session.refresh(booking)
    assert booking.hold_extended is False


def test_preferences_are_for_attendees_only(client, auth):
    assert client.get("/my/preferences").status_code == 302
    auth.login_as(Role.ADMIN)
    assert client.get("/my/preferences").status_code == 403


def test_every_attendee_facing_page_has_a_quick_exit_without_javascript(client, auth, db):
    session = factories.course_session()
    pages = ["/", "/sessions", f"/sessions/{session.id}", "/accessibility", "/leaving-quickly"]
    pages += ["/account/login", "/account/register", "/account/forgot-password", "/nowhere"]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert 'href="/exit"' in page, url
        assert ">Exit this page</a>" in page, url
        assert "quick-exit.js" in page and "<script>" not in page, url
    auth.login_as(Role.ATTENDEE)
    for url in ["/my/bookings", "/my/preferences"]:
        assert ">Exit this page</a>" in client.get(url).get_data(as_text=True), url
    help_page = client.get("/leaving-quickly").get_data(as_text=True)
    assert "It does not delete your browsing history." in help_page


def test_staff_pages_have_no_quick_exit(client, auth):
    auth.login_as(Role.ADMIN)
    # Every staff area, not only the schedule's pages (money and people pages showed it).
    for url in ("/admin/", "/admin/money/waivers", "/admin/people/", "/admin/contact/calls"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Exit this page" not in page.get_data(as_text=True), url


def test_quick_exit_script_is_served(client):
    response = client.get("/static/quick-exit.js")
    assert response.status_code == 200
    assert "location.replace" in response.get_data(as_text=True)
    response.close()


def test_the_questions_are_never_a_barrier_to_booking(client, auth, db):
    session = factories.course_session()
    person = auth.login_as(Role.ATTENDEE)
    assert client.post(f"/my/sessions/{session.id}/book", data={}).status_code == 303
    assert db.session.scalar(select(Booking).where(Booking.user_id == person.id)) is not None
