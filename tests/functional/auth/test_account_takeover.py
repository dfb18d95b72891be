"""Nobody can take an account over with the police letter, a copied cookie or an old link."""

import re
import time

from flask_login.utils import encode_cookie

from booking.models import AttendeeProfile, Notification, User
from booking.services.people import access_links
from tests import factories
from tests.referral_factories import referral

NEW_PASSWORD = "a brand new long password"


def _lookup(client, reference="AB-1", surname="Taylor", born="1990-04-01"):
    return client.post(
        "/referral/start",
        data={"police_reference": reference, "surname": surname, "date_of_birth": born},
    )


def _set_up(client, email="sam.t@example.org", password="a long password", safe=True, **extra):
    data = {"email": email, "password": password, **extra}
    if safe:
        data["email_is_safe"] = "y"
    return client.post("/referral/account", data=data)


def _signed_in(client) -> bool:
    return client.get("/my/bookings").status_code == 200


def _sign_in(client, email, password=factories.PASSWORD):
    response = client.post("/account/login", data={"email": email, "password": password})
    assert response.status_code == 302, "sign-in failed"


def _link_path(db, person) -> str:
    notice = (
        db.session.query(Notification)
        .filter_by(user_id=person.id, kind="access_link")
        .order_by(Notification.id.desc())
        .first()
    )
    return re.search(r"(/referral/link/\S+)", notice.body).group(1)


def _safe_attendee(db, email="kim@example.org") -> User:
    person = factories.user(email=email)
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
    db.session.commit()
    return person


# --- the police letter is a way in only while the account is untouched ---------------------


def test_lookup_does_not_sign_in_once_a_password_is_chosen(client, db):
    referral(factories.force(), factories.course_type(), police_reference="AB-1")
    db.session.commit()
    assert _lookup(client).status_code == 303  # first time: carries on as before
    assert _set_up(client).status_code == 303
    client.post("/account/logout")

    again = _lookup(client)
    assert again.status_code == 200
    assert not _signed_in(client)
    assert "sign in with your email address and password" in again.get_data(as_text=True)
    # The person said email is safe, so the look-up sent them a sign-in link instead.
    person = db.session.query(User).filter_by(email="sam.t@example.org").one()
    assert db.session.query(Notification).filter_by(user_id=person.id, kind="access_link").count()


def test_lookup_answers_the_same_whatever_matched(client, db):
    force, course = factories.force(), factories.course_type()
    referral(force, course, police_reference="AB-1")
    used_without_password = referral(force, course, police_reference="AB-2")
    db.session.commit()
    _lookup(client, "AB-1")
    _set_up(client)
    client.post("/account/logout")
    _lookup(client, "AB-2")
    saved = client.post(  # answers saved: the account is in use, with no password yet
        "/my/preferences", data={"women_only": "no", "other_needs": "I use a wheelchair"}
    )
    assert saved.status_code in (302, 303)
    client.post("/account/logout", follow_redirects=True)  # shows "You have signed out"

    answers = [
        _lookup(client, "AB-1"),
        _lookup(client, "AB-2"),
        _lookup(client, "AB-9999"),
        _lookup(client, "AB-1", born="1990-04-02"),
    ]
    assert {response.status_code for response in answers} == {200}
    assert len({response.get_data() for response in answers}) == 1
    assert not _signed_in(client)
    db.session.refresh(used_without_password)
    assert not db.session.get(User, used_without_password.user_id).password_chosen


def test_lookup_does_not_sign_in_once_a_booking_is_made(client, db):
    force, course = factories.force(), factories.course_type()
    referral(force, course, police_reference="AB-1")
    place = factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    db.session.commit()
    assert _lookup(client).status_code == 303
    assert client.post(f"/referral/sessions/{place.id}/book").status_code == 303
    # Still signed in: looking up again goes straight back to the sessions.
    assert _lookup(client).headers["Location"].endswith("/referral/sessions")
    client.post("/account/logout")

    again = _lookup(client)
    assert again.status_code == 200 and not _signed_in(client)
    assert "We could not open a booking with those details" in again.get_data(as_text=True)


# --- changing email or password needs the current password or a fresh link -----------------


def test_changing_email_or_password_needs_the_current_password(client, db):
    person = factories.user(email="jo@example.org")
    db.session.commit()
    _sign_in(client, "jo@example.org")

    for current in ("", "not my password"):
        refused = _set_up(client, email="thief@example.org", current_password=current)
        assert refused.status_code == 400
        assert "Enter your current password" in refused.get_data(as_text=True)
    db.session.refresh(person)
    assert person.email == "jo@example.org" and person.check_password(factories.PASSWORD)

    allowed = _set_up(
        client,
        email="jo.new@example.org",
        password=NEW_PASSWORD,
        current_password=factories.PASSWORD,
    )
    assert allowed.status_code == 303
    db.session.refresh(person)
    assert person.email == "jo.new@example.org" and person.check_password(NEW_PASSWORD)
    assert _signed_in(client)  # this session carries on


def test_a_fresh_link_sign_in_may_change_the_password_but_an_old_one_may_not(app, client, db):
    person = _safe_attendee(db)
    token = access_links.token_for(person, secret_key=app.config["SECRET_KEY"])
    assert client.post(f"/referral/link/{token}").status_code == 303
    with client.session_transaction() as session:
        session["signed_in_by_link_at"] = time.time() - 11 * 60  # the link was used 11 min ago
    assert _set_up(client, email=person.email, password=NEW_PASSWORD).status_code == 400

    with client.session_transaction() as session:
        session["signed_in_by_link_at"] = time.time() - 60  # one minute ago
    assert _set_up(client, email=person.email, password=NEW_PASSWORD).status_code == 303
    db.session.refresh(person)
    assert person.check_password(NEW_PASSWORD)


# --- sign-out, a password change and a reset end every other session -----------------------


def test_a_copied_cookie_stops_working_after_sign_out(app, client, db):
    person = factories.user()
    db.session.commit()
    _sign_in(client, person.email)
    copied = client.get_cookie("session").value
    client.post("/account/logout")

    other = app.test_client()
    other.set_cookie("session", copied)
    response = other.get("/my/bookings")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_exit_this_page_ends_this_browsers_session_on_the_server_only(app, client, db):
    person = factories.user()
    db.session.commit()
    elsewhere = app.test_client()  # the person's phone, say
    _sign_in(elsewhere, person.email)
    _sign_in(client, person.email)
    copied = client.get_cookie("session").value
    assert client.get("/exit").status_code == 200

    copy = app.test_client()
    copy.set_cookie("session", copied)
    response = copy.get("/my/bookings")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert elsewhere.get("/my/bookings").status_code == 200  # only this browser was ended
    _sign_in(client, person.email)  # signing in again here works as before
    assert client.get("/my/bookings").status_code == 200


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, client, db):
    person = factories.user()
    db.session.commit()
    remember = encode_cookie(person.get_id())
    copy = app.test_client()
    copy.set_cookie("remember_token", remember)
    assert _signed_in(copy)

    _sign_in(client, person.email)
    client.post("/account/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remember)
    assert not _signed_in(later)


def test_a_password_change_ends_every_other_session(app, client, db):
    person = factories.user(email="jo@example.org")
    db.session.commit()
    elsewhere = app.test_client()
    _sign_in(elsewhere, person.email)
    _sign_in(client, person.email)

    changed = _set_up(
        client, email=person.email, password=NEW_PASSWORD, current_password=factories.PASSWORD
    )
    assert changed.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(elsewhere)


def test_a_password_reset_ends_every_session(app, client, db):
    person = _safe_attendee(db, email="reset.me@example.org")
    _sign_in(client, person.email)
    client.post("/account/forgot-password", data={"email": person.email})
    notice = db.session.query(Notification).filter_by(kind="password_reset").one()
    link = re.search(r"(/account/reset-password/\S+)", notice.body).group(1)
    anonymous = app.test_client()
    reset = anonymous.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    assert not _signed_in(client)


# --- a magic link works once, and not after a password change ------------------------------


def test_a_magic_link_signs_in_only_once(app, client, db):
    person = _safe_attendee(db)
    _sign_in(client, person.email)
    assert client.post("/referral/send-link").status_code == 303
    client.post("/account/logout")
    link = _link_path(db, person)

    reader = app.test_client()
    assert reader.post(link).status_code == 303
    assert _signed_in(reader)
    for _ in range(2):
        again = app.test_client()
        assert again.post(link).status_code == 404
        assert not _signed_in(again)
    assert app.test_client().get(link).status_code == 404


def test_a_magic_link_dies_with_a_password_change(app, client, db):
    person = _safe_attendee(db)
    token = access_links.token_for(person, secret_key=app.config["SECRET_KEY"])
    _sign_in(client, person.email)
    _set_up(client, email=person.email, password=NEW_PASSWORD, current_password=factories.PASSWORD)

    holder = app.test_client()
    assert holder.post(f"/referral/link/{token}").status_code == 404
    assert not _signed_in(holder)


def test_a_lookup_sends_no_link_when_email_is_not_safe(client, db):
    referral(factories.force(), factories.course_type(), police_reference="AB-1")
    db.session.commit()
    _lookup(client)
    _set_up(client, safe=False)
    client.post("/account/logout")
    response = _lookup(client)
    assert response.status_code == 200 and not _signed_in(client)
    assert db.session.query(Notification).count() == 0
