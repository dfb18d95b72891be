"""Audit events: who did or saw what, to which record, written in the same transaction.

An event names its record by id. A row added in this transaction has no id until it is
written, so an event about it (``record_about``) waits for the flush that writes the row and
is added then: a new booking and the moves it makes before it is first written (held, then
confirmed) cost one INSERT for the booking and one for all the events, not an INSERT, an
UPDATE per move and an INSERT per event.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from booking.extensions import db
from booking.models import AuditEvent, User, utcnow

# Events about rows not yet written, kept on the database session until those rows are.
_WAITING = "audit_events_waiting_for_their_rows"


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
    row = _event(action, entity_type, entity_id, actor=actor, now=now, detail=detail)
    db.session.add(row)
    return row


def record_about(
    action: str,
    entity_type: str,
    entity: Any,
    *,
    actor: User | None,
    now=None,
    **detail: object,
) -> AuditEvent:
    """Write an audit event about ``entity`` (a model row with an ``id``), even one added in
    this transaction and not written yet: its event is written with the row. Committing while
    such a row was never written is an error (RuntimeError), never a silently lost event."""
    if entity.id is not None:
        return record(action, entity_type, entity.id, actor=actor, now=now, **detail)
    row = _event(action, entity_type, None, actor=actor, now=now, detail=detail)
    db.session.info.setdefault(_WAITING, []).append((entity, row))
    return row


def forget_about(entity: Any) -> None:
    """Drop the waiting events about ``entity``: the row was refused and will not be written."""
    waiting = db.session.info.get(_WAITING, [])
    db.session.info[_WAITING] = [(row_of, row) for row_of, row in waiting if row_of is not entity]


def _event(
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    actor: User | None,
    now,
    detail: dict[str, object],
) -> AuditEvent:
    return AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor.id if actor is not None else None,
        at=now or utcnow(),
        detail={key: _plain(value) for key, value in detail.items()},
    )


def _plain(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@event.listens_for(Session, "after_flush_postexec")
def _add_events_of_rows_just_written(session: Session, _flush_context: object) -> None:
    # Added now, in the order they were recorded; the next flush (the commit's, at the latest)
    # writes them all in one statement.
    waiting = session.info.get(_WAITING)
    if not waiting:
        return
    still_waiting = []
    for entity, row in waiting:
        if entity.id is None:
            still_waiting.append((entity, row))
        else:
            row.entity_id = entity.id
            session.add(row)
    session.info[_WAITING] = still_waiting


@event.listens_for(Session, "before_commit")
def _no_event_left_behind(session: Session) -> None:
    if not session.info.get(_WAITING):
        return
    session.flush()
    if session.info.get(_WAITING):
        actions = [row.action for _, row in session.info[_WAITING]]
        raise RuntimeError(f"audit events about rows never written: {actions}")


@event.listens_for(Session, "after_transaction_end")
def _forget_events_of_a_rolled_back_transaction(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WAITING, None)
