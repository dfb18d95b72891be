"""Domain errors with codes, and the one table of plain-English messages people see."""

MESSAGES = {
    "full": "Sorry, this session is full. Please choose another date.",
    "busy": "We are busy right now. Please wait a moment and try again.",
    "already_booked": "You already have a place on this session.",
    "session_not_open": "This session is no longer taking bookings.",
    "session_started": "This session has already started, so it can no longer be booked.",
    "not_found": "We could not find that booking.",
    "not_cancellable": "This booking cannot be cancelled now. Please contact us and we will help.",
    "hold_expired": "Your held place has been released because time ran out. Please book again.",
    "women_only": "This session is a women-only group.",
    "invalid_dates": "The end must be after the start.",
    "invalid_range": "The last date must be on or after the first date.",
    "too_many_sessions": "A series can have at most 60 sessions. Please choose a shorter range.",
    "capacity_below_bookings": "Capacity cannot be lower than the places already taken.",
    "session_cancelled": "This session has been cancelled.",
    "venue_required": "Choose a venue for an in-person session.",
    "session_not_found": "We could not find that session.",
    "email_taken": "An account with this email address already exists. Try signing in instead.",
}


class DomainError(Exception):
    """A rule said no. ``code`` picks the message; routes show it and answer 4xx, never 500."""

    http_status = 409

    def __init__(self, code: str, **context: object) -> None:
        super().__init__(code)
        self.code = code
        self.context = context

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, "Something was not right. Please try again.")


class BookingError(DomainError):
    pass


class ScheduleError(DomainError):
    http_status = 400


class AccountError(DomainError):
    http_status = 400
