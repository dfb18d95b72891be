"""Audit events: who did or saw what, to which record, written in the same transaction.

An event names its record by id. A row added in this transaction has no id until it is
written, so an event about it (``record_about``) waits for the flush that writes the row and
is added then: a new booking and the moves it makes before it is first written (held, then
confirmed) cost one INSERT for the booking and one for all the events, not an INSERT, an
UPDATE per move and an INSERT per event.

The events still unwritten at commit go in one statement, in the order they were recorded.
(Left to the session's flush, SQLite would get one INSERT each: its driver cannot hand back
many new ids in order, and nothing needs an event's id.) A query in the transaction that
reads events first writes them as usual (autoflush).
"""

from itertools import count
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from booking.extensions import db
from booking.models import AuditEvent, User, utcnow

# Events about rows not yet written, kept on the database session until those rows are.
_WAITING = "audit_events_waiting_for_their_rows"
# When each event was recorded, so those written together at commit keep their order.
_recorded_order: WeakKeyDictionary[AuditEvent, int] = WeakKeyDictionary()
_next_number = count()


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
    row = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor.id if actor is not None else None,
        at=now or utcnow(),
        detail={key: _plain(value) for key, value in detail.items()},
    )
    _recorded_order[row] = next(_next_number)
    return row


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
def _write_events_in_one_statement(session: Session) -> None:
    unwritten = _take_unwritten_events(session)
    if session.info.get(_WAITING) or session.new or session.dirty or session.deleted:
        # Write everything else first: the rows events wait for get their ids.
        session.flush()
        unwritten += _take_unwritten_events(session)
    if session.info.get(_WAITING):
        actions = [row.action for _, row in session.info[_WAITING]]
        raise RuntimeError(f"audit events about rows never written: {actions}")
    if not unwritten:
        return
    unwritten.sort(key=lambda row: _recorded_order[row])
    # render_nulls: an event without an actor goes in the same statement as the others.
    session.execute(
        insert(AuditEvent).execution_options(render_nulls=True),
        [_columns_of(row) for row in unwritten],
    )


def _take_unwritten_events(session: Session) -> list[AuditEvent]:
    # Only events recorded here: a row built elsewhere is left to the flush and its defaults.
    rows = [row for row in session.new if isinstance(row, AuditEvent) and row in _recorded_order]
    for row in rows:
        session.expunge(row)
    return rows


def _columns_of(row: AuditEvent) -> dict[str, object]:
    return {
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "actor_id": row.actor_id,
        "at": row.at,
        "detail": row.detail,
    }


@event.listens_for(Session, "after_transaction_end")
def _forget_events_of_a_rolled_back_transaction(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WAITING, None)
