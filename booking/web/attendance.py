"""Reading an attendance register as posted: the trainer's roster and the staff desk (marking
for a trainer who cannot) post the same fields and say the same afterwards."""

from booking.models import AttendanceStatus

FIELD_PREFIX = "attendance-"


def marks_from(posted) -> dict[int, AttendanceStatus]:
    """Booking id -> mark, from fields named ``attendance-<booking id>``; anything else, or a
    mark that is not one of the statuses, is left out (the service checks the rest)."""
    marks = {}
    for key, value in posted.items():
        booking_id = key.removeprefix(FIELD_PREFIX)
        if key.startswith(FIELD_PREFIX) and booking_id.isdecimal():
            try:
                marks[int(booking_id)] = AttendanceStatus(value)
            except ValueError:
                continue
    return marks


def saved_message(count: int) -> str:
    return f"Attendance saved for {count} {'person' if count == 1 else 'people'}."


def closed_message(attended: int) -> str:
    return f"Session closed. {attended} completed the course."
