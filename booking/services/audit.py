from booking.extensions import db
from booking.models import AuditEvent, User, utcnow


def record(
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    actor: User | None,
    now=None,
    **detail: object,
) -> AuditEvent:
    """Write an audit event in the current transaction: who did or saw what, to which record."""
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor.id if actor is not None else None,
        at=now or utcnow(),
        detail={key: _plain(value) for key, value in detail.items()},
    )
    db.session.add(event)
    return event


def _plain(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
