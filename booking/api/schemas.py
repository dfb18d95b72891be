"""What the API accepts and answers, as marshmallow schemas (also its OpenAPI document).

The response schemas are the allow-list of what leaves Waypoint: a referral's own details as the
force sent them, its status, dates and any extension, and for outcomes status and date only.
Needs, disclosures, payments and help requests have no field here, so they cannot leak.
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models import ReferralStatus
from booking.services.input_rules import has_control_characters

MAX_OUTCOME_RANGE_DAYS = 366


def plain_text(*, min_length: int | None = None, max_length: int) -> list:
    """Length limits, and no control characters (PostgreSQL cannot store a NUL byte, and none
    belongs in a name or reference): such a value is a 422, never a 500."""

    def no_control_characters(value: str) -> None:
        if has_control_characters(value):
            raise ValidationError("Must not contain control characters.")

    return [validate.Length(min=min_length, max=max_length), no_control_characters]


class ReferralCreate(Schema):
    """The CSV import's columns, one referral at a time."""

    police_reference = fields.String(
        required=True, validate=plain_text(min_length=1, max_length=40)
    )
    first_name = fields.String(required=True, validate=plain_text(min_length=1, max_length=80))
    last_name = fields.String(required=True, validate=plain_text(min_length=1, max_length=80))
    date_of_birth = fields.Date(required=True)
    email = fields.String(load_default="", validate=plain_text(max_length=254))
    phone = fields.String(load_default="", validate=plain_text(max_length=30))
    disposal_type = fields.String(load_default="", validate=plain_text(max_length=60))
    course_type = fields.String(
        required=True,
        validate=plain_text(min_length=1, max_length=60),
        metadata={"description": "The course type's slug, as in the CSV import."},
    )
    referral_date = fields.Date(required=True)
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Leave out to use the scheme's number of days."},
    )


class IdempotencyHeader(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=plain_text(min_length=1, max_length=100),
        metadata={"description": "Send the same key when retrying a create: one referral."},
    )


class Referral(Schema):
    id = fields.Integer(required=True)
    police_reference = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True)
    email = fields.String(required=True, attribute="contact_email")
    phone = fields.String(required=True, attribute="contact_phone")
    disposal_type = fields.String(required=True)
    course_type = fields.Function(
        lambda referral: referral.course_type.slug,
        required=True,
        metadata={"type": "string"},
    )
    referral_date = fields.Date(required=True)
    deadline = fields.Date(required=True)
    status = fields.Enum(ReferralStatus, by_value=True, required=True)
    completed_on = fields.Date(required=True, allow_none=True)
    original_deadline = fields.Date(
        required=True, allow_none=True, metadata={"description": "Set once a deadline is extended."}
    )
    extension_agreed_by = fields.String(
        required=True, metadata={"description": "The force-side person who agreed an extension."}
    )
    extension_agreed_on = fields.Date(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)


class ReferralPage(Schema):
    items = fields.List(fields.Nested(Referral), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` next time to get only later changes."},
    )


class ChangedQuery(Schema):
    cursor = fields.String(load_default=None, validate=plain_text(min_length=1, max_length=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


CLOSED = [ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED, ReferralStatus.WITHDRAWN]


class Outcome(Schema):
    """Status and date only."""

    referral_id = fields.Integer(required=True, attribute="id")
    police_reference = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([status.value for status in CLOSED])
    )
    date = fields.Date(required=True, allow_none=True)


class OutcomePage(Schema):
    items = fields.List(fields.Nested(Outcome), required=True)


class OutcomesQuery(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")

    @validates_schema
    def a_sensible_range(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("`to` must be on or after `from`.", "to")
        if (data["end"] - data["start"]).days > MAX_OUTCOME_RANGE_DAYS:
            raise ValidationError(f"Ask for at most {MAX_OUTCOME_RANGE_DAYS} days at once.", "to")


class Withdrawal(Schema):
    reason = fields.String(load_default="", validate=plain_text(max_length=200))


class SessionsQuery(Schema):
    course_type = fields.String(required=True, validate=plain_text(min_length=1, max_length=60))
    start = fields.Date(load_default=None, data_key="from")
    end = fields.Date(load_default=None, data_key="to")


class Session(Schema):
    id = fields.Integer(required=True)
    course_type = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    online = fields.Boolean(required=True)
    venue = fields.String(required=True, allow_none=True)
    postcode = fields.String(required=True, allow_none=True)
    women_only = fields.Boolean(required=True)
    places_left = fields.Integer(required=True)


class SessionPage(Schema):
    items = fields.List(fields.Nested(Session), required=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Field-by-field reasons, for a 422."})
    referral_id = fields.Integer(metadata={"description": "The referral already there (409)."})
