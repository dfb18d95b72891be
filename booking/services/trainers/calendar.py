"""A trainer's calendar feed (.ics) at a secret URL, and resetting that secret."""

import secrets
from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import CourseSession, SessionAssignment, SessionStatus, TrainerProfile, User
from booking.services import audit


def new_token() -> str:
    return secrets.token_urlsafe(32)


def trainer_for_token(token: str) -> TrainerProfile | None:
    """The active trainer whose feed secret is ``token`` exactly, else None."""
    if not token or len(token) > 64:
        return None
    profile = db.session.scalars(
        select(TrainerProfile).where(TrainerProfile.calendar_token == token)
    ).first()
    if profile is None or not profile.is_active:
        return None
    # Compare in constant time as well, so timing says nothing about near misses.
    return profile if secrets.compare_digest(profile.calendar_token, token) else None


def reset_token(profile: TrainerProfile, *, by: User, now: datetime) -> str:
    """Replace the feed secret: the old URL stops working at once."""
    profile.calendar_token = new_token()
    db.session.flush()
    audit.record("calendar.reset", "trainer_profile", profile.id, actor=by, now=now)
    return profile.calendar_token


def feed(profile: TrainerProfile, *, now: datetime) -> bytes:
    """Upcoming and recent sessions for this trainer, without any attendee data."""
    sessions = db.session.scalars(
        select(CourseSession)
        .join(SessionAssignment, SessionAssignment.session_id == CourseSession.id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(
            SessionAssignment.trainer_id == profile.id,
            CourseSession.status != SessionStatus.CANCELLED,
        )
        .order_by(CourseSession.starts_at)
    ).all()
    calendar = Calendar()
    calendar.add("prodid", "-//Waypoint//Trainer sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Waypoint sessions")
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@waypoint")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add(
            "summary", session.course_type.name + (" (women-only)" if session.women_only else "")
        )
        if session.is_online:
            event.add("location", session.online_join_url or "Online")
            if session.online_join_url:
                event.add("url", session.online_join_url)
                event.add("description", f"Joining link: {session.online_join_url}")
        elif session.venue is not None:
            event.add("location", f"{session.venue.name}, {session.venue.address}")
        calendar.add_component(event)
    return calendar.to_ical()
