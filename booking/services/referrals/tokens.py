"""API tokens for a force's system: made and shown once, stored only as a hash, revocable."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import ApiToken, PoliceForce, User
from booking.services import audit

# A recognisable prefix lets secret scanners (and people) spot a leaked Waypoint token.
TOKEN_PREFIX = "wpt_"
NAME_LENGTH = 80


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    force: PoliceForce, name: str, *, by: User | None, now: datetime
) -> tuple[ApiToken, str]:
    """A new token for ``force``. Returns the row and the token itself, which is never stored:
    the caller shows it once. Raises ValueError for a missing or over-long name."""
    name = name.strip()
    if not name:
        raise ValueError("Give the token a name, such as the system that will use it.")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"The name must be at most {NAME_LENGTH} characters.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        force_id=force.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
        created_by_id=by.id if by is not None else None,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.created", "api_token", row.id, actor=by, now=now, force=force.slug)
    return row, token


def revoke_token(token_row: ApiToken, *, by: User | None, now: datetime) -> None:
    """Stop a token working at once. Revoking twice changes nothing."""
    if token_row.revoked_at is not None:
        return
    token_row.revoked_at = now
    db.session.flush()
    audit.record("api_token.revoked", "api_token", token_row.id, actor=by, now=now)


def revoke_force_token(force_id: int, token_id: int, *, by: User | None, now: datetime) -> bool:
    """Revoke one of this force's tokens. False when the force has no such token: another
    force's token counts as not found, never as forbidden."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.force_id != force_id:
        return False
    revoke_token(row, by=by, now=now)
    return True


def authenticate(token: str) -> ApiToken | None:
    """The live token row (with its force) for a presented token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.force))
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )


def record_call(token_row: ApiToken, *, method: str, path: str, status: int, now: datetime) -> None:
    """Every API call is audited (which token, what it asked, how it was answered)."""
    token_row.last_used_at = now
    audit.record(
        "api.call",
        "api_token",
        token_row.id,
        actor=None,
        now=now,
        force_id=token_row.force_id,
        method=method,
        path=path[:200],
        status=status,
    )


def tokens_for(force: PoliceForce) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .options(joinedload(ApiToken.created_by))
            .where(ApiToken.force_id == force.id)
            .order_by(ApiToken.id.desc())
        )
    )
