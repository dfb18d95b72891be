"""The one way a staff page about a person loads the person named in its URL."""

from flask import abort

from booking.models import User
from booking.services.people import directory


def attendee_or_404(person_id: int) -> User:
    """The attendee with this id, or 404 (staff and trainer accounts are not "people" here)."""
    person = directory.attendee(person_id)
    if person is None:
        abort(404)
    return person
