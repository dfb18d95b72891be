"""All models, re-exported so that `from booking.models import Booking` works everywhere."""

from booking.models.api import ApiToken, DeliveryStatus, ForceWebhookDelivery
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
from booking.models.forces import ForceAgreement, PoliceForce, Scheme, scheme_course_types
from booking.models.hardship import (
    WAIVER_REASON_LABELS,
    FundLedgerEntry,
    HardshipFund,
    LedgerKind,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
)
from booking.models.jobs import JobLock, WorkerHeartbeat
from booking.models.notifications import Channel, Notification, NotificationStatus, TextReply
from booking.models.outreach import ContactStep, StepStatus
from booking.models.payments import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeEvent,
)
from booking.models.privacy import AnonymisedRecord, RetentionRun
from booking.models.profiles import AttendeeProfile
from booking.models.referrals import Referral, ReferralStatus, WaitingListEntry, WaitingStatus
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
from booking.models.users import STAFF_ROLES, EndedSession, Role, User

__all__ = [
    "ContactStep",
    "StepStatus",
    "ApiToken",
    "ForceAgreement",
    "DeliveryStatus",
    "EndedSession",
    "ForceWebhookDelivery",
    "JobLock",
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
    "AnonymisedRecord",
    "AttendeeProfile",
    "RetentionRun",
    "AuditEvent",
    "Base",
    "Booking",
    "BookingStatus",
    "Channel",
    "TextReply",
    "CourseSession",
    "CourseType",
    "Delivery",
    "Notification",
    "NotificationStatus",
    "PoliceForce",
    "Referral",
    "ReferralStatus",
    "Role",
    "STAFF_ROLES",
    "Scheme",
    "SessionSeries",
    "SessionStatus",
    "User",
    "Venue",
    "WaitingListEntry",
    "WaitingStatus",
    "scheme_course_types",
    "WAIVER_REASON_LABELS",
    "FundLedgerEntry",
    "HardshipFund",
    "LedgerKind",
    "WaiverReason",
    "WaiverRequest",
    "WaiverStatus",
    "WorkerHeartbeat",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Refund",
    "RefundStatus",
    "StripeEvent",
    "utcnow",
]
