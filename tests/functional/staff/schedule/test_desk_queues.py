"""The coordinator's desk beyond sessions: dashboard queues and charts, waiting lists worked by
hand, forces and schemes, and trainers told about their sessions."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    AuditEvent,
    FundLedgerEntry,
    LedgerKind,
    Notification,
    PoliceForce,
    Role,
    Scheme,
    SessionAssignment,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.money import fund
from tests import factories
from tests.referral_factories import make_email_safe
from tests.trainer_factories import assign, confirmed_booking, trainer_profile


def _queue_count(page: str, label: str) -> str:
    start = page.index(f"{label}: <strong>") + len(f"{label}: <strong>")
    return page[start : page.index("</strong>", start)]


def _entry(session, *, status=WaitingStatus.WAITING, person=None, **fields):
    person = person or factories.user(Role.ATTENDEE)
    make_email_safe(person)
    entry = WaitingListEntry(session_id=session.id, user_id=person.id, status=status, **fields)
    db.session.add(entry)
    db.session.flush()
    return entry


def _offered(session):
    now = utcnow()
    return _entry(
        session,
        status=WaitingStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + timedelta(hours=24),
        claim_token=f"token-{session.id}-{now.timestamp()}",
    )


def _world(db):
    now = utcnow().replace(microsecond=0)
    factories.course_session(starts_at=now - timedelta(hours=4))  # ended, not closed
    full = factories.course_session(capacity=1)  # upcoming, no trainer
    _offered(full)
    weekly = fund.create_fund(
        year_starting=fund.financial_year_of(now),
        name=f"Fund {full.id}",
        budget_pence=100_00,
        by=None,
        now=now,
    )
    db.session.add(FundLedgerEntry(fund_id=weekly.id, kind=LedgerKind.AWARD, amount_pence=-25_00))
    bookings.book_session(factories.course_session().id, factories.user(), now=now)
    return weekly


def test_dashboard_queues_are_counts_with_links(client, db, auth):
    _world(db)
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    assert _queue_count(page, "Sessions awaiting closure") == "1"
    assert _queue_count(page, "Sessions short of trainers") == "2"  # the ended one is past
    assert _queue_count(page, "Waiting lists with open offers") == "1"
    assert _queue_count(page, "Help requests waiting") == "0"
    assert _queue_count(page, "Refunds to decide") == "0"
    for link in (
        "/admin/sessions/awaiting-closure",
        "/admin/trainers/short",
        "/admin/waiting-lists",
        "/admin/money/waivers",
        "/admin/money/refunds",
    ):
        assert f'href="{link}"' in page, link


def test_dashboard_charts_are_svg_with_their_data_tables(client, db, auth):
    weekly_fund = _world(db)
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    for table in ("weekly-table", "fill-table", "funds-table"):
        assert f'aria-describedby="{table}"' in page and f'<table id="{table}">' in page
    funds = page[page.index('<table id="funds-table">') :]
    assert weekly_fund.label in funds and "£100" in funds and "£25" in funds
    assert "25%" in funds
    assert "<svg" in page


def test_dashboard_query_count_does_not_grow(client, db, auth, count_queries):
    _world(db)
    auth.login_as(Role.ADMIN)
    client.get("/admin/")
    with count_queries() as few:
        client.get("/admin/")
    for _ in range(4):
        _world(db)
    db.session.commit()  # the test's own writes are not the page's queries
    with count_queries() as many:
        client.get("/admin/")
    assert many.count == few.count


def test_staff_offer_a_free_place_by_hand_to_a_chosen_person(client, db, auth):
    session = factories.course_session(capacity=2)
    confirmed_booking(session)
    first = _entry(session, joined_at=utcnow() - timedelta(days=2))
    chosen = _entry(session, joined_at=utcnow() - timedelta(days=1))
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/sessions/{session.id}/waiting-list").get_data(as_text=True)
    assert page.index(first.user.first_name) < page.index(chosen.user.first_name)
    viewed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "session.waiting_list_viewed")
    )
    assert viewed.entity_id == session.id
    response = client.post(f"/admin/waiting-list/{chosen.id}/offer", data={})
    assert response.status_code == 303
    db.session.refresh(chosen)
    db.session.refresh(first)
    assert chosen.status == WaitingStatus.OFFERED and first.status == WaitingStatus.WAITING
    assert (
        db.session.scalar(select(Notification.kind).where(Notification.user_id == chosen.user_id))
        == "waitlist_offer"
    )
    # The place is now held by the offer: no second one can be offered.
    client.post(
        f"/admin/waiting-list/{first.id}/offer",
        data={},
        headers={"Referer": f"http://localhost/admin/sessions/{session.id}/waiting-list"},
    )
    db.session.refresh(first)
    assert first.status == WaitingStatus.WAITING


def test_staff_remove_someone_with_a_reason_and_their_offer_passes_on(client, db, auth):
    session = factories.course_session(capacity=1)
    holder = _offered(session)
    next_in_line = _entry(session)
    auth.login_as(Role.ADMIN)
    client.post(f"/admin/waiting-list/{holder.id}/remove", data={"reason": ""})
    db.session.refresh(holder)
    assert holder.status == WaitingStatus.OFFERED
    response = client.post(
        f"/admin/waiting-list/{holder.id}/remove", data={"reason": "Asked to be taken off"}
    )
    assert response.status_code == 303
    db.session.refresh(holder)
    db.session.refresh(next_in_line)
    assert holder.status == WaitingStatus.LEFT
    assert next_in_line.status == WaitingStatus.OFFERED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "waitlist.removed"))
    assert event.detail["reason"] == "Asked to be taken off"
    listing = client.get("/admin/waiting-lists").get_data(as_text=True)
    assert f"/admin/sessions/{session.id}/waiting-list" in listing


def test_staff_set_a_forces_partner_flag(client, db, auth):
    area = factories.force("flag-area", is_partner=False)
    auth.login_as(Role.ADMIN)
    assert "Flag Area" in client.get("/admin/forces").get_data(as_text=True)
    client.post(f"/admin/forces/{area.id}", data={"is_partner": "y"})
    assert db.session.get(PoliceForce, area.id).is_partner is True
    client.post(f"/admin/forces/{area.id}", data={})
    db.session.expire_all()
    assert db.session.get(PoliceForce, area.id).is_partner is False


def test_staff_create_and_change_a_scheme(client, db, auth):
    area = factories.force("scheme-area")
    course, other = factories.course_type(), factories.course_type()
    auth.login_as(Role.ADMIN)
    refused = client.post(
        "/admin/schemes/new",
        data={
            "force_id": area.id,
            "name": "Diversion scheme",
            "disposal_types": " , ",
            "days_to_complete": "90",
            "fee": "thirty",
            "course_type_ids": [course.id],
        },
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'value="Diversion scheme"' in page and "Enter an amount in pounds" in page
    assert db.session.scalars(select(Scheme)).all() == []
    client.post(
        "/admin/schemes/new",
        data={
            "force_id": area.id,
            "name": "Diversion scheme",
            "disposal_types": "Community resolution, Conditional caution",
            "days_to_complete": "90",
            "fee": "30",
            "course_type_ids": [course.id, other.id],
            "is_active": "y",
        },
    )
    scheme = db.session.scalars(select(Scheme)).one()
    assert scheme.disposal_types == "community-resolution,conditional-caution"
    assert scheme.fee_pence == 3000 and {c.id for c in scheme.course_types} == {course.id, other.id}
    form = client.get(f"/admin/schemes/{scheme.id}").get_data(as_text=True)
    assert 'value="30.00"' in form
    client.post(
        f"/admin/schemes/{scheme.id}",
        data={
            "force_id": area.id,
            "name": "Diversion scheme",
            "disposal_types": "community-resolution",
            "days_to_complete": "60",
            "fee": "",
            "course_type_ids": [course.id],
            "is_active": "y",
        },
    )
    db.session.refresh(scheme)
    assert scheme.days_to_complete == 60 and scheme.fee_pence is None
    assert "The course's usual fee" in client.get("/admin/schemes").get_data(as_text=True)


def test_trainer_is_told_when_assigned_and_unassigned(client, db, auth):
    session = factories.course_session(
        online=True, online_join_url="https://meet.example.org/room-9"
    )
    trainer = trainer_profile(course_types=[session.course_type])
    auth.login_as(Role.ADMIN)
    client.post(f"/admin/trainers/sessions/{session.id}", data={"trainer_id": trainer.id})
    assignment = db.session.scalars(select(SessionAssignment)).one()
    told = db.session.scalars(
        select(Notification).where(Notification.user_id == trainer.user_id)
    ).all()
    assert [n.kind for n in told] == ["trainer_assigned"]
    assert "https://meet.example.org/room-9" in told[0].body
    client.post(f"/admin/trainers/assignments/{assignment.id}/delete", data={})
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == trainer.user_id)
    ).all()
    assert kinds == ["trainer_assigned", "trainer_unassigned"]


def test_roster_and_calendar_carry_the_joining_link_and_women_only_once(client, db, auth):
    session = factories.course_session(
        online=True, online_join_url="https://meet.example.org/room-7", women_only=True
    )
    trainer = trainer_profile(course_types=[session.course_type], can_lead_women_only=True)
    assign(session, trainer)
    for _ in range(3):
        confirmed_booking(session, needs_step_free=True)
    auth.login_as(user=trainer.user)
    page = client.get(f"/trainer/sessions/{session.id}").get_data(as_text=True)
    assert "https://meet.example.org/room-7" in page
    assert page.count("Women-only group") == 1
    feed = client.get(f"/trainer/calendar/{trainer.calendar_token}.ics").get_data()
    (event,) = Calendar.from_ical(feed).walk("VEVENT")
    assert str(event["url"]) == "https://meet.example.org/room-7"
    assert "https://meet.example.org/room-7" in str(event["description"])


def _more_rows(db):
    """One more row for each desk list: an ended session, a waiting list, a scheme."""
    now = utcnow().replace(microsecond=0)
    factories.course_session(starts_at=now - timedelta(hours=5))
    waiting = factories.course_session()
    _entry(waiting)
    _offered(waiting)
    area = factories.force()
    scheme = Scheme(force_id=area.id, name=f"Scheme {area.id}", disposal_types="outcome-22")
    scheme.course_types = [factories.course_type()]
    db.session.add(scheme)
    db.session.flush()


DESK_LISTS = ["/admin/sessions/awaiting-closure", "/admin/waiting-lists", "/admin/schemes"]


@pytest.mark.parametrize("url", [*DESK_LISTS, "/admin/forces"])
def test_desk_list_query_counts_do_not_grow(client, db, auth, count_queries, url):
    _more_rows(db)
    auth.login_as(Role.ADMIN)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        _more_rows(db)
    db.session.commit()  # the test's own writes are not the page's queries
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count


def test_calls_failed_messages_and_near_deadline_referrals_are_queues_too(client, db, auth):
    """Each queue counts the work and links to where it is done; a role sees only its own."""
    from booking.models import Channel, NotificationStatus
    from tests.referral_factories import referral

    now = utcnow()
    person = factories.user(Role.ATTENDEE)
    db.session.add_all(
        [
            Notification(
                user_id=person.id,
                channel=Channel.CALL,
                to_address="07700 900123",
                kind="booking_confirmed",
                subject="Your booking is confirmed",
                body="Call them",
                status=NotificationStatus.PENDING,
            ),
            Notification(
                user_id=person.id,
                channel=Channel.EMAIL,
                to_address="",
                kind="booking_reminder",
                subject="A reminder about your booking",
                body="withheld",
                status=NotificationStatus.WITHHELD,
            ),
        ]
    )
    referral(factories.force(), factories.course_type(), deadline=(now + timedelta(days=5)).date())
    db.session.commit()
    auth.login_as(Role.SCHEDULER)
    page = client.get("/admin/").get_data(as_text=True)
    assert _queue_count(page, "Calls to make") == "1"
    assert _queue_count(page, "Messages withheld or failed") == "1"
    assert _queue_count(page, "Referrals near their deadline, not booked") == "1"
    for link in (
        "/admin/contact/calls",
        "/admin/contact/messages",
        "/admin/referrals/near-deadline",
    ):
        assert f'href="{link}"' in page, link
    # Finance works money queues, not calls: no count it could not follow.
    auth.login_as(Role.FINANCE)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Calls to make" not in page and "Help requests waiting" in page
