"""All models, re-exported so that `from booking.models import Booking` works everywhere."""

from booking.models.audit import AuditEvent
from booking.models.base import Base, utcnow
from booking.models.bookings import (
    ACTIVE_STATES,
    EXPIRING_STATES,
    SEAT_STATES,
    Booking,
    BookingStatus,
)
from booking.models.courses import CourseType, Delivery, Venue
from booking.models.forces import PoliceForce, Scheme, scheme_course_types
from booking.models.notifications import Channel, Notification, NotificationStatus
from booking.models.profiles import AttendeeProfile
from booking.models.sessions import CourseSession, SessionSeries, SessionStatus
from booking.models.trainers import (
    AllocationRun,
    AssignmentSource,
    AttendanceRecord,
    AttendanceStatus,
    AvailabilitySlot,
    ProposedAssignment,
    RunStatus,
    SessionAssignment,
    TrainerProfile,
    Unavailability,
    UnstaffedSession,
)
from booking.models.users import Role, User

__all__ = [
    "AllocationRun",
    "AssignmentSource",
    "AttendanceRecord",
    "AttendanceStatus",
    "AvailabilitySlot",
    "ProposedAssignment",
    "RunStatus",
    "SessionAssignment",
    "TrainerProfile",
    "Unavailability",
    "UnstaffedSession",
    "ACTIVE_STATES",
    "EXPIRING_STATES",
    "SEAT_STATES",
    "AttendeeProfile",
    "AuditEvent",
    "Base",
    "Booking",
    "BookingStatus",
    "Channel",
    "CourseSession",
    "CourseType",
    "Delivery",
    "Notification",
    "NotificationStatus",
    "PoliceForce",
    "Role",
    "Scheme",
    "SessionSeries",
    "SessionStatus",
    "User",
    "Venue",
    "scheme_course_types",
    "utcnow",
]
