"""The coordinator's desk for people: find anyone, see their record, and act for them by phone.

Each test is what a coordinator does on a call, through the pages, and checks what the person
and the record would show afterwards.
"""

from datetime import timedelta

from sqlalchemy import select

from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Booking,
    BookingStatus,
    Channel,
    Notification,
    Payment,
    Role,
    User,
    utcnow,
)
from booking.services.bookings import seats as bookings
from tests import factories
from tests.referral_factories import referral

WHY = "Phone call"


def _new_person(client, **fields):
    data = {"first_name": "Kasia", "last_name": "Nowak", "why": WHY}
    data.update(fields)
    return client.post("/admin/people/new", data=data)


def _person(db, first_name="Kasia") -> User:
    return db.session.scalars(select(User).where(User.first_name == first_name)).one()


def _audit(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_phone_booking_for_a_person_with_no_email_who_needs_an_interpreter(client, auth, db):
    course = factories.course_type()
    first = factories.course_session(course_type_row=course)
    second = factories.course_session(
        course_type_row=course,
        venue_row=first.venue,
        starts_at=first.starts_at + timedelta(days=7),
    )
    coordinator = auth.login_as(Role.SCHEDULER)

    added = _new_person(
        client, interpreter_language="Polish", phone_is_safe="y", phone_number="07700 900123"
    )
    assert added.status_code == 303
    person = _person(db)
    profile = db.session.scalars(
        select(AttendeeProfile).where(AttendeeProfile.user_id == person.id)
    ).one()
    assert profile.interpreter_language == "Polish" and profile.phone_is_safe
    assert not profile.email_is_safe and person.email.endswith(".invalid")
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "None given" in page and ".invalid" not in page  # the placeholder is never shown
    assert "07700 900123" in page  # phone calls are safe, so the number is there to call

    booked = client.post(
        f"/admin/people/{person.id}/book", data={"session_id": first.id, "why": WHY}
    )
    assert booked.status_code == 303
    booking = db.session.scalars(select(Booking).where(Booking.user_id == person.id)).one()
    assert booking.status == BookingStatus.CONFIRMED and booking.session_id == first.id
    held = _audit(db, "booking.held")[-1]
    assert held.actor_id == coordinator.id and held.detail["source"] == "staff"
    acted = _audit(db, "staff.booked")[-1]
    assert (acted.actor_id, acted.detail["why"]) == (coordinator.id, WHY)
    # No email is safe but calls are: the confirmation becomes a call for staff to make.
    sent = db.session.scalars(select(Notification).where(Notification.user_id == person.id)).all()
    assert [(n.kind, n.channel) for n in sent] == [("booking_confirmed", Channel.CALL)]

    moved = client.post(
        f"/admin/people/bookings/{booking.reference}/move",
        data={"session_id": second.id, "why": "Asked for the next week"},
    )
    assert moved.status_code == 303
    db.session.expire_all()
    assert booking.status == BookingStatus.CANCELLED
    new = db.session.scalars(
        select(Booking).where(Booking.user_id == person.id, Booking.id != booking.id)
    ).one()
    assert (new.session_id, new.status) == (second.id, BookingStatus.CONFIRMED)
    assert _audit(db, "staff.moved_booking")[-1].detail["why"] == "Asked for the next week"

    record = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    # Each message is listed with the way it went: here a call for staff, the one safe way.
    assert new.reference in record and "“Your booking has been changed” by call" in record


def test_a_fee_taken_by_phone_confirms_the_place(client, auth, db):
    fee_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=4500)
    )
    person = factories.user(first_name="Robin")
    auth.login_as(Role.SCHEDULER)
    client.post(f"/admin/people/{person.id}/book", data={"session_id": fee_session.id, "why": WHY})
    booking = db.session.scalars(select(Booking).where(Booking.user_id == person.id)).one()
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    # Held for a day, long enough to pay by link or call back.
    assert booking.hold_expires_at - utcnow() > timedelta(hours=23)
    assert client.get(f"/admin/people/bookings/{booking.reference}/payment").status_code == 403
    auth.logout()

    auth.login_as(Role.FINANCE)
    wrong = client.post(
        f"/admin/people/bookings/{booking.reference}/payment",
        data={"amount": "40", "reference": "T1", "why": WHY},
    )
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'id="amount-error"' in page
    assert "must match what is still due" in page and 'value="40"' in page
    done = client.post(
        f"/admin/people/bookings/{booking.reference}/payment",
        data={"amount": "45.00", "reference": "T2", "why": WHY},
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert booking.status == BookingStatus.CONFIRMED
    assert db.session.scalars(select(Payment)).one().method.value == "phone"


def test_a_pay_link_goes_only_to_a_safe_email(client, auth, db):
    fee_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=3000)
    )
    safe = factories.user(first_name="Ade")
    db.session.add(AttendeeProfile(user_id=safe.id, email_is_safe=True))
    unsafe = factories.user(first_name="Bo")
    db.session.add(AttendeeProfile(user_id=unsafe.id, email_is_safe=False))
    references = {
        person.id: bookings.place_booking(
            fee_session.id, person, now=utcnow(), source="staff"
        ).reference
        for person in (safe, unsafe)
    }
    auth.login_as(Role.ADMIN)

    sent = client.post(f"/admin/people/bookings/{references[safe.id]}/pay-link", data={"why": WHY})
    refused = client.post(
        f"/admin/people/bookings/{references[unsafe.id]}/pay-link", data={"why": "Asked for it"}
    )

    assert sent.status_code == 303
    message = db.session.scalars(select(Notification)).one()
    assert (message.user_id, message.kind) == (safe.id, "pay_link")
    assert "/referral/link/" in message.body and "£30" in message.body
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "no link can be sent" in page and 'value="Asked for it"' in page


def test_cancelling_for_a_person_settles_the_money_and_more_time_is_given_once(client, auth, db):
    course_session = factories.course_session()
    person = factories.user()
    booking = bookings.place_booking(course_session.id, person, now=utcnow(), source="staff")
    fee_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=2000)
    )
    held = bookings.place_booking(fee_session.id, person, now=utcnow(), source="staff")
    coordinator = auth.login_as(Role.ADMIN)

    cancelled = client.post(
        f"/admin/people/bookings/{booking.reference}/cancel", data={"why": "Moving away"}
    )
    first = client.post(f"/admin/people/bookings/{held.reference}/more-time", data={"why": WHY})
    second = client.post(f"/admin/people/bookings/{held.reference}/more-time", data={"why": WHY})

    assert cancelled.status_code == 303 and first.status_code == 303
    db.session.expire_all()
    assert booking.status == BookingStatus.CANCELLED
    ended = _audit(db, "booking.ended")[-1]
    assert (ended.actor_id, ended.detail["reason"]) == (coordinator.id, "staff")
    assert held.hold_extended
    assert second.status_code == 400
    # A day was given; more only when the place is close to running out again.
    assert "held for a while yet" in second.get_data(as_text=True)


def test_a_women_only_group_needs_confirming_beside_the_box(client, auth, db):
    group = factories.course_session(women_only=True)
    person = factories.user()
    db.session.add(AttendeeProfile(user_id=person.id, prefers_women_only=True))
    auth.login_as(Role.SCHEDULER)

    response = client.post(
        f"/admin/people/{person.id}/book", data={"session_id": group.id, "why": "Called in"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="women_only_confirmed-error"' in page and 'value="Called in"' in page
    assert db.session.scalar(select(Booking.id)) is None


def test_search_by_name_phone_booking_reference_and_police_reference(client, auth, db):
    person = factories.user(first_name="Morgan", last_name="Price", email="m.price@example.org")
    db.session.add(AttendeeProfile(user_id=person.id, phone_number="07700 900456"))
    booking = bookings.place_booking(
        factories.course_session().id, person, now=utcnow(), source="staff"
    )
    course = factories.course_type(referral_required=True)
    waiting = referral(factories.force(), course, police_reference="PR-77", first_name="Lee")
    staff = auth.login_as(Role.FINANCE)

    def found(query: str) -> str:
        return client.get("/admin/people/", query_string={"q": query}).get_data(as_text=True)

    for query in ("morgan price", "m.price@", "+44 7700 900456", booking.reference.lower()):
        assert f"/admin/people/{person.id}" in found(query), query
    unlinked = found("pr-77")
    assert "Lee Taylor, not set up yet" in unlinked
    assert "Set up this person" not in unlinked  # finance does not set people up
    searches = _audit(db, "people.searched")
    assert len(searches) == 5 and all(event.actor_id == staff.id for event in searches)
    assert searches[-1].detail["query"] == "pr-77"

    auth.logout()
    auth.login_as(Role.SCHEDULER)
    assert "Set up this person" in found("PR-77")
    client.post(f"/admin/people/referrals/{waiting.id}/person", data={"why": WHY})
    db.session.expire_all()
    assert waiting.user_id is not None
    assert f"/admin/people/{waiting.user_id}" in found("PR-77")


def test_needs_are_shown_only_to_the_roles_that_need_them(client, auth, db):
    person = factories.user(first_name="Jess")
    db.session.add(
        AttendeeProfile(
            user_id=person.id, interpreter_language="Tigrinya", prefers_women_only=False
        )
    )
    seen = {}
    for role in (Role.ADMIN, Role.SAFEGUARDING, Role.SCHEDULER, Role.FINANCE):
        auth.login_as(role)
        seen[role] = "Tigrinya" in client.get(f"/admin/people/{person.id}").get_data(as_text=True)
        auth.logout()

    assert seen == {
        Role.ADMIN: True,
        Role.SAFEGUARDING: True,
        Role.SCHEDULER: False,
        Role.FINANCE: False,
    }
    views = _audit(db, "person.viewed")
    assert [event.detail["needs"] for event in views] == [True, True, False, False]


def test_the_person_page_query_count_does_not_grow_with_their_history(
    client, auth, db, count_queries
):
    person = factories.user()
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))

    def book_one():
        fee_session = factories.course_session(
            course_type_row=factories.course_type(default_fee_pence=1000)
        )
        booking = bookings.place_booking(fee_session.id, person, now=utcnow(), source="staff")
        db.session.add(
            Payment(booking_id=booking.id, amount_pence=1000, method="phone", status="succeeded")
        )

    book_one()
    auth.login_as(Role.ADMIN)
    db.session.commit()
    with count_queries() as few:
        assert client.get(f"/admin/people/{person.id}").status_code == 200
    for _ in range(4):
        book_one()
    db.session.commit()  # the test's own writes are not the page's statements
    with count_queries() as many:
        assert client.get(f"/admin/people/{person.id}").status_code == 200
    assert many.count == few.count


def test_the_safeguarding_lead_sees_who_looked_at_whose_record(client, auth, db, count_queries):
    person = factories.user(first_name="Noor")
    auth.login_as(Role.FINANCE)
    client.get(f"/admin/people/{person.id}")
    client.get("/admin/people/", query_string={"q": "Noor"})
    auth.logout()
    auth.login_as(Role.SAFEGUARDING)

    with count_queries() as few:
        page = client.get("/admin/people/access-log").get_data(as_text=True)
    for _ in range(3):
        client.get(f"/admin/people/{person.id}")
    with count_queries() as many:
        client.get("/admin/people/access-log")

    assert "Person viewed" in page and "People searched: “Noor”" in page
    assert "(finance)" in page and f"/admin/people/{person.id}" in page
    assert many.count == few.count


def test_search_results_query_count_does_not_grow_with_matches(client, auth, db, count_queries):
    course = factories.course_type()

    def add_people(count: int):
        for _ in range(count):
            person = factories.user(last_name="Evans")
            referral(factories.force(), course, police_reference="SAME-1", user_id=person.id)
        referral(factories.force(), course, police_reference="SAME-1")  # nobody set up yet

    add_people(1)
    auth.login_as(Role.SCHEDULER)
    with count_queries() as few:
        client.get("/admin/people/", query_string={"q": "evans"})
        client.get("/admin/people/", query_string={"q": "same-1"})
    add_people(4)
    with count_queries() as many:
        page = client.get("/admin/people/", query_string={"q": "same-1"}).get_data(as_text=True)
        client.get("/admin/people/", query_string={"q": "evans"})
    assert page.count("not set up yet") == 2
    assert many.count == few.count


def test_book_a_place_lists_only_the_sessions_that_fit_the_person(client, auth, db):
    home, away = factories.force(), factories.force()
    referred = factories.course_type(name="Drive Safe", referral_required=True)
    other = factories.course_type(name="Other Course", referral_required=True)
    week = utcnow().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=7)
    person = factories.user(first_name="Jo")
    referral(home, referred, user_id=person.id, deadline=(week + timedelta(days=20)).date())

    def session(name, **fields):
        return factories.course_session(
            venue_row=fields.pop("venue_row", None) or factories.venue(home, name=name), **fields
        )

    session("Home Hall", course_type_row=referred, starts_at=week)
    factories.course_session(course_type_row=referred, online=True, starts_at=week)
    session(
        "Away Hall", venue_row=factories.venue(away, name="Away Hall"), course_type_row=referred
    )
    session("Late Hall", course_type_row=referred, starts_at=week + timedelta(days=30))
    session("Other Hall", course_type_row=other, starts_at=week)
    session("Women Hall", course_type_row=referred, starts_at=week, women_only=True)
    full = session("Full Hall", course_type_row=factories.course_type(), capacity=1)
    bookings.place_booking(full.id, factories.user(), now=utcnow(), source="staff")
    auth.login_as(Role.SCHEDULER)

    page = client.get(f"/admin/people/{person.id}/book").get_data(as_text=True)

    assert "Home Hall" in page and ", Online" in page
    for refused in ("Away Hall", "Late Hall", "Other Hall", "Women Hall", "Full Hall"):
        assert refused not in page


def test_a_refusal_on_a_staff_page_is_worded_for_staff(client, auth, db):
    person = factories.user(first_name="Lee")
    booking = bookings.place_booking(
        factories.course_session().id, person, now=utcnow(), source="staff"
    )
    auth.login_as(Role.SCHEDULER)
    first = client.post(f"/admin/people/bookings/{booking.reference}/cancel", data={"why": WHY})
    assert first.status_code == 303

    # Cancelled twice (two tabs, a slow phone line): refused, in words for staff.
    again = client.post(
        f"/admin/people/bookings/{booking.reference}/cancel",
        data={"why": WHY},
        follow_redirects=True,
    )

    page = again.get_data(as_text=True)
    assert "This booking cannot be cancelled now (it has ended or been closed)." in page
    assert "contact us" not in page


def test_every_refusal_for_people_that_sends_them_to_us_has_words_for_staff():
    from booking.services.errors import MESSAGES, BookingError

    for code, words in MESSAGES.items():
        if any(p in words for p in ("contact us", "call us", "reference number")):
            staff_words = BookingError(code).message_for(staff=True)
            assert "contact us" not in staff_words and "call us" not in staff_words, code
            assert "reference number" not in staff_words, code


def test_the_call_script_for_a_person_reached_only_by_phone_reads_out_no_web_address(
    client, auth, db
):
    online = factories.course_session(online=True, online_join_url="https://meet.example/r/1")
    person = factories.user(first_name="Dana")
    db.session.add(
        AttendeeProfile(user_id=person.id, phone_is_safe=True, phone_number="07700 900321")
    )
    auth.login_as(Role.SCHEDULER)

    client.post(f"/admin/people/{person.id}/book", data={"session_id": online.id, "why": WHY})

    call = db.session.scalars(select(Notification).where(Notification.user_id == person.id)).one()
    assert call.channel == Channel.CALL and "Ref " in call.body
    assert "http" not in call.body and "/my/bookings" not in call.body
    calls = client.get("/admin/contact/calls").get_data(as_text=True)
    assert "do not read it out" in calls and "https://meet.example" not in calls
