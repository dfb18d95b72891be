"""Fee policy: a course type's default fee, overridden by a scheme's fee (integer pence)."""

from booking.models import CourseSession, Scheme


def fee_for(course_session: CourseSession, scheme: Scheme | None = None) -> int:
    """The fee in pence for a person on ``course_session``.

    A scheme's ``fee_pence`` (often 0, when the force or commissioner pays) wins over the course
    type's default; ``None`` on the scheme means "use the course type's fee".
    """
    if scheme is not None and scheme.fee_pence is not None:
        return scheme.fee_pence
    return course_session.course_type.default_fee_pence
