"""Nothing says whether an address has an account, and sign-in limits count per address and
per account, so one busy address (a shared proxy, a library) does not lock everyone out."""

import pytest

from booking import create_app
from booking.extensions import db as _db
from booking.models import AttendeeProfile, Notification, User
from booking.services.people import accounts
from config import TestConfig
from tests import factories
from tests.referral_factories import referral

PASSWORD = "a long new password"


def _register(client, email, safe=True):
    data = {
        "first_name": "Robin",
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    if safe:
        data["email_is_safe"] = "y"
    return client.post("/account/register", data=data)


def test_registering_a_taken_address_answers_like_a_new_one(client, db):
    owner = factories.user(email="taken@example.org")
    db.session.add(AttendeeProfile(user_id=owner.id, email_is_safe=True))
    db.session.commit()

    taken = _register(client, "Taken@Example.org")
    new = _register(client, "new.person@example.org")

    assert taken.status_code == new.status_code == 200
    assert taken.get_data() == new.get_data()
    assert "Check your email" in new.get_data(as_text=True)
    assert "already" not in taken.get_data(as_text=True)
    assert db.session.query(User).filter(User.email.ilike("taken@example.org")).count() == 1
    assert not owner.check_password(PASSWORD)
    # The owner hears about it on the channel they said is safe, in neutral words.
    notice = db.session.query(Notification).filter_by(user_id=owner.id).one()
    assert notice.subject == "About your account"
    assert "Someone tried to use this email address for a new account" in notice.body


def test_a_new_account_can_sign_in_after_registering(client, db):
    _register(client, "new.person@example.org", safe=False)
    person = db.session.query(User).filter_by(email="new.person@example.org").one()
    assert person.check_password(PASSWORD) and person.password_chosen
    assert (
        db.session.query(AttendeeProfile).filter_by(user_id=person.id).one().email_is_safe is False
    )
    assert db.session.query(Notification).count() == 0  # email was not said to be safe
    login = client.post(
        "/account/login", data={"email": "new.person@example.org", "password": PASSWORD}
    )
    assert login.status_code == 302 and login.headers["Location"] == "/my/bookings"


def test_changing_to_a_taken_address_answers_like_a_free_one(app, client, db):
    owner = factories.user(email="taken@example.org")
    db.session.add(AttendeeProfile(user_id=owner.id, email_is_safe=True))
    person = factories.user(email="me@example.org")
    someone_else = factories.user(email="other@example.org")
    db.session.commit()

    def change(browser, who, new_email):
        browser.post("/account/login", data={"email": who.email, "password": factories.PASSWORD})
        return browser.post(
            "/referral/account",
            data={
                "email": new_email,
                "password": PASSWORD,
                "current_password": factories.PASSWORD,
            },
        )

    taken = change(client, person, "Taken@example.org")
    free = change(app.test_client(), someone_else, "free@example.org")

    assert taken.status_code == free.status_code == 303
    assert taken.headers["Location"] == free.headers["Location"]
    db.session.refresh(person)
    db.session.refresh(owner)
    assert person.email == "me@example.org"  # the address was not taken over
    assert owner.email == "taken@example.org" and owner.check_password(factories.PASSWORD)
    notice = db.session.query(Notification).filter_by(user_id=owner.id).one()
    assert notice.subject == "About your account"


@pytest.mark.parametrize("function", ["reset_token", "generate_password_hash"])
def test_known_and_unknown_addresses_do_the_same_expensive_work(client, db, monkeypatch, function):
    person = factories.user(email="known@example.org")
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
    db.session.commit()
    calls = []
    real = getattr(accounts, function)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, function, counted)
    for email in ("known@example.org", "unknown@example.org"):
        if function == "reset_token":
            response = client.post("/account/forgot-password", data={"email": email})
            assert response.status_code == 302
        else:
            assert _register(client, email).status_code == 200
    assert calls == [1, 1]


def _limited_app(database_url, **limits):
    return create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True, **limits
    )


def _attempt(app, client, address, email, password):
    with app.app_context():
        response = client.post(
            "/account/login",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )
    return response.status_code


@pytest.fixture
def limited(database_url):
    app = _limited_app(
        database_url, LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="5 per minute"
    )
    with app.app_context():
        person = factories.user(email="kim@example.org")
        _db.session.commit()
        email = person.email
    yield app, email
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_one_limited_address_does_not_lock_the_person_out_from_elsewhere(limited):
    app, email = limited
    busy = app.test_client()
    guesses = [
        _attempt(app, busy, "10.0.0.1", f"guess{number}@example.org", "wrong")
        for number in range(3)
    ]
    assert guesses == [200, 200, 200]
    assert _attempt(app, busy, "10.0.0.1", email, factories.PASSWORD) == 429

    home = app.test_client()
    assert _attempt(app, home, "10.0.0.2", email, factories.PASSWORD) == 302


def test_a_stranger_guessing_from_many_addresses_cannot_lock_the_person_out(database_url):
    app = _limited_app(database_url)  # the limits as configured: 10 a minute per address
    with app.app_context():
        email = factories.user(email="kim@example.org").email
        _db.session.commit()
    own_browser = app.test_client()
    assert _attempt(app, own_browser, "10.0.1.200", email, factories.PASSWORD) == 302
    own_browser.post("/account/logout", environ_base={"REMOTE_ADDR": "10.0.1.200"})

    stranger = app.test_client()
    guesses = [
        _attempt(app, stranger, f"10.0.1.{number}", email.upper(), "wrong") for number in range(12)
    ]
    # The person, with the right password, on the browser they used before: straight in.
    own_browser_again = _attempt(app, own_browser, "10.0.1.201", email, factories.PASSWORD)
    # A browser never used for this account is refused softly (the same words as a wrong
    # password, so nothing says the account exists), never a 429 lock-out.
    new_browser = _attempt(app, app.test_client(), "10.0.1.202", email, factories.PASSWORD)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    assert guesses == [200] * 12
    assert own_browser_again == 302
    assert new_browser == 200


def test_signing_in_successfully_does_not_use_up_the_account_limit(limited):
    app, email = limited
    client = app.test_client()
    statuses = [
        _attempt(app, client, f"10.0.2.{number}", email, factories.PASSWORD) for number in range(8)
    ]
    assert statuses == [302] * 8


def _look_up(app, client, address, reference, day):
    with app.app_context():
        response = client.post(
            "/referral/start",
            data={
                "police_reference": reference,
                "surname": "Taylor",
                "date_of_birth": f"1990-01-{day:02d}",
            },
            environ_base={"REMOTE_ADDR": address},
        )
    return response.status_code


def test_guesses_at_one_reference_are_limited_per_address_and_never_lock_the_person_out(
    database_url,
):
    app = _limited_app(database_url, REFERRAL_LOOKUP_RATE_LIMIT="100 per minute")
    with app.app_context():
        referral(factories.force(), factories.course_type(), police_reference="AB-1")
        _db.session.commit()
    stranger = app.test_client()
    from_one_address = [
        _look_up(app, stranger, "10.0.3.1", "ab-1" if day % 2 else " AB-1 ", day)
        for day in range(1, 13)
    ]
    from_many = [_look_up(app, stranger, f"10.0.4.{day}", "AB-1", day) for day in range(1, 13)]
    the_person = _look_up(app, app.test_client(), "10.0.5.1", "AB-1", 15)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    assert from_one_address[:10] == [200] * 10
    assert from_one_address[10:] == [429, 429]  # one address guessing: slowed
    assert from_many == [200] * 12
    assert the_person in (200, 303)  # never 429: the look-up answers (or signs in)
