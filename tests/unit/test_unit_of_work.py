"""A unit of work starts a fresh transaction but keeps the signed-in user it was given."""

from sqlalchemy import inspect

from booking.database import remember_signed_in_user, unit_of_work
from tests import factories


def test_the_signed_in_user_is_not_read_again_when_a_use_case_starts(db, count_queries):
    person = factories.user()
    db.session.commit()
    name = person.first_name  # loaded, as the request's sign-in check loads it
    remember_signed_in_user(person)

    with count_queries() as counter, unit_of_work():
        assert person.first_name == name
    assert counter.statements == [], counter.statements


def test_other_rows_read_before_a_use_case_are_read_again_inside_it(db):
    person = factories.user()
    course_session = factories.course_session()
    db.session.commit()
    assert course_session.capacity == 10
    remember_signed_in_user(person)

    with unit_of_work():
        assert inspect(course_session).expired


def test_unsaved_changes_to_the_signed_in_user_are_rolled_back_as_before(db):
    person = factories.user(first_name="Sam")
    db.session.commit()
    remember_signed_in_user(person)
    person.first_name = "Changed but never saved"

    with unit_of_work():
        assert person.first_name == "Sam"
