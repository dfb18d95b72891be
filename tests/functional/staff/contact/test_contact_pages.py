"""The staff pages for reaching people, and the development outbox that `make run` relies on."""

import pytest

from booking.jobs.notifications import send_now
from booking.models import AuditEvent, Channel, Notification, NotificationStatus, Role, utcnow
from booking.services.clock import LONDON
from booking.services.notify import messages
from tests import factories
from tests.integration.test_notify_channels import factories_booking, person_with

pytestmark = pytest.mark.database


def _withheld(db, **safe):
    person, profile = person_with(db, **safe)
    booking = factories_booking(db, person)
    assert messages.booking_confirmed(booking, now=utcnow(), base_url="") is None
    db.session.commit()
    return person, profile, booking


def test_a_withheld_message_is_listed_and_resent_once_a_channel_is_safe(client, auth, db):
    person, profile, _ = _withheld(db)
    row = db.session.query(Notification).one()
    assert row.status == NotificationStatus.WITHHELD
    auth.login_as(Role.ADMIN)

    page = client.get("/admin/contact/messages").get_data(as_text=True)
    assert "Withheld: no safe way to reach them" in page
    assert "No other safe way yet" in page
    refused = client.post(f"/admin/contact/messages/{row.id}/resend", data={"channel": "text"})
    assert refused.status_code == 303
    assert db.session.query(Notification).count() == 1  # texts are not safe: nothing queued

    profile.text_is_safe = True
    db.session.commit()
    person_page = client.get(f"/admin/contact/people/{person.id}").get_data(as_text=True)
    assert "How we reach them now: text message" in person_page
    assert '<option value="text">text message</option>' in person_page
    sent = client.post(
        f"/admin/contact/messages/{row.id}/resend", data={"channel": "text"}, follow_redirects=True
    )
    assert "Queued by text message." in sent.get_data(as_text=True)
    text = db.session.query(Notification).filter_by(channel=Channel.TEXT).one()
    assert text.to_address == "07700 900123" and text.body.startswith("Hello Sam,")
    assert db.session.query(AuditEvent).filter_by(action="notification.resent").count() == 1
    assert "Nothing waiting." in client.get("/admin/contact/messages").get_data(as_text=True)
    again = client.post(f"/admin/contact/messages/{row.id}/resend", data={"channel": "text"})
    assert again.status_code == 303
    assert db.session.query(Notification).filter_by(channel=Channel.TEXT).count() == 1


def test_a_wrong_number_moves_a_call_to_the_next_safe_written_channel(client, auth, db):
    person, _ = person_with(db, phone_is_safe=True, post_is_safe=True, order="call,letter")
    booking = factories_booking(db, person)
    call = messages.booking_confirmed(booking, now=utcnow(), base_url="")
    db.session.commit()
    assert call.channel == Channel.CALL
    auth.login_as(Role.ADMIN)

    no_answer = client.post(f"/admin/contact/calls/{call.id}", data={"no_answer": "No answer"})
    assert no_answer.status_code == 303
    db.session.refresh(call)
    assert call.status == NotificationStatus.PENDING and call.call_outcome == "no_answer"
    client.post(f"/admin/contact/calls/{call.id}", data={"wrong_number": "Wrong number"})
    db.session.refresh(call)
    assert call.status == NotificationStatus.FAILED
    letter = db.session.get(Notification, call.followed_by_id)
    assert letter.channel == Channel.LETTER and letter.to_address.endswith("LS1 4AB")
    outcomes = db.session.query(AuditEvent).filter_by(action="notification.call").count()
    assert outcomes == 2


def test_without_a_provider_texts_and_letters_land_in_the_development_outbox(app, client, auth, db):
    texted, _ = person_with(db, text_is_safe=True)
    posted, _ = person_with(db, post_is_safe=True)
    for person in (texted, posted):
        messages.booking_confirmed(factories_booking(db, person), now=utcnow(), base_url="")
    db.session.commit()
    assert not app.config["NOTIFY_API_KEY"]
    assert send_now(app.config)["sent"] == 2

    auth.login_as(Role.ADMIN)
    page = client.get("/admin/contact/development-outbox").get_data(as_text=True)
    assert "Nothing on this page was sent." in page
    assert "Text message to 07700 900123" in page
    assert "Letter to Sam Example, 12 Quiet Road, Leeds, LS1 4AB" in page


@pytest.mark.parametrize(
    "url", ["/admin/contact/calls", "/admin/contact/messages", "/admin/contact/development-outbox"]
)
def test_contact_lists_run_the_same_queries_however_many_rows(
    app, client, auth, db, count_queries, url
):
    def add_people(count):
        for _ in range(count):
            for safe in ({"phone_is_safe": True}, {"text_is_safe": True}, {}):
                person, _ = person_with(db, **safe)
                messages.booking_confirmed(factories_booking(db, person), now=utcnow())
        db.session.commit()
        send_now(app.config)

    add_people(1)
    auth.login_as(Role.ADMIN)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_people(4)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def test_staff_and_trainers_are_still_emailed(db):
    trainer = factories.user(Role.TRAINER)
    row = messages.trainer_released(trainer, [], now=utcnow())
    assert row.channel == Channel.EMAIL and row.to_address == trainer.email


def test_a_text_only_person_gets_a_password_reset_by_text_and_the_page_says_how(client, db):
    person, _ = person_with(db, text_is_safe=True)
    db.session.commit()
    answer = client.post(
        "/account/forgot-password", data={"email": person.email}, follow_redirects=True
    )
    page = answer.get_data(as_text=True)
    assert "by email or by text message, whichever that account told us is safe" in page
    assert "please call us on 0808 157 0192" in page
    (reset,) = db.session.query(Notification).filter_by(kind="password_reset").all()
    assert reset.channel == Channel.TEXT and "/account/reset-password/" in reset.body


def test_the_booking_page_says_plainly_when_we_cannot_reach_the_person(client, auth, db):
    person, _ = person_with(db)
    booking = factories_booking(db, person)
    db.session.commit()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "You have not told us a safe way to contact you" in page
    assert f"Your booking reference is <strong>{booking.reference}</strong>" in page


def test_the_booking_page_says_which_channel_the_confirmation_went_by(client, auth, db):
    person, _ = person_with(db, post_is_safe=True)
    booking = factories_booking(db, person)
    messages.booking_confirmed(booking, now=utcnow(), base_url="")
    db.session.commit()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "Our latest message about this booking is on its way by letter." in page
    assert "We will let you know by letter." in page


def test_a_call_outside_the_persons_safe_hours_is_marked_not_yet(client, auth, db):
    hour = utcnow().astimezone(LONDON).hour
    closed = (hour + 1, 24) if hour < 23 else (0, hour)
    person, _ = person_with(db, phone_is_safe=True, hours=closed)
    messages.booking_confirmed(factories_booking(db, person), now=utcnow(), base_url="")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/contact/calls").get_data(as_text=True)
    assert "Not yet:" in page and "(outside their safe hours now)" in page
