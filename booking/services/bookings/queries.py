"""Reading bookings for pages: named queries, so routes never build SQL themselves."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, User


def own_booking(reference: str, person: User) -> Booking | None:
    """``person``'s booking with this reference; None for anyone else's, or none at all."""
    return db.session.scalar(
        select(Booking).where(Booking.reference == reference, Booking.user_id == person.id)
    )


def booking_id(reference: str) -> int | None:
    """The id of the booking with this reference, if there is one."""
    return db.session.scalar(select(Booking.id).where(Booking.reference == reference))


def booking_locked(booking_id: int) -> Booking | None:
    """A booking, its row locked for the rest of the transaction."""
    return db.session.get(Booking, booking_id, with_for_update=True)


def attended_booking(reference: str, person: User) -> Booking | None:
    """``person``'s booking with this reference if they attended it, with its course."""
    return db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.session).joinedload(CourseSession.course_type))
        .where(
            Booking.reference == reference,
            Booking.user_id == person.id,
            Booking.status == BookingStatus.ATTENDED,
        )
    ).first()


def bookings_for_person(person: User) -> list[Booking]:
    """A person's bookings, soonest session first, with their sessions loaded in one query."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                joinedload(Booking.session).joinedload(CourseSession.course_type),
                joinedload(Booking.session).joinedload(CourseSession.venue),
            )
            .where(Booking.user_id == person.id)
            .order_by(CourseSession.starts_at, Booking.id)
        ).unique()
    )


def booking_for_staff(reference: str) -> Booking | None:
    """A booking by its reference, with its person and course loaded, for staff pages."""
    return db.session.scalar(
        select(Booking)
        .options(
            joinedload(Booking.user),
            joinedload(Booking.session).joinedload(CourseSession.course_type),
        )
        .where(Booking.reference == reference)
    )
