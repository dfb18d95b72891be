"""Calendar files (.ics) for a booking, for download and as an email attachment."""

from icalendar import Calendar, Event

from booking.models import Booking

PRODUCT_ID = "-//Waypoint//Bookings//EN"


def booking_ics(booking: Booking, *, base_url: str = "") -> str:
    """An iCalendar file with one event for the booking's session.

    The title stays neutral ("Your booking"), like email subjects, because calendars
    are often shared or shown on a locked phone screen.
    """
    course_session = booking.session
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"booking-{booking.reference}@waypoint")
    event.add("summary", "Your booking")
    event.add("dtstart", course_session.starts_at)
    event.add("dtend", course_session.ends_at)
    event.add("dtstamp", booking.created_at)
    if course_session.is_online:
        event.add("location", "Online")
        if course_session.online_join_url:
            event.add("url", course_session.online_join_url)
    elif course_session.venue is not None:
        venue = course_session.venue
        event.add("location", f"{venue.name}, {venue.address}, {venue.postcode}")
    description = f"Booking reference {booking.reference}."
    if base_url:
        description += f" {base_url.rstrip('/')}/my/bookings"
    event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
