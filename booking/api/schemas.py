"""What the API accepts and answers, as marshmallow schemas (also its OpenAPI document).

The response schemas are the allow-list of what leaves Waypoint: a referral's own details as the
force sent them, its status, dates and any extension, and for outcomes status and date only.
Needs, disclosures, payments and help requests have no field here, so they cannot leak.
"""

from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from booking.models import ReferralStatus
from booking.services import input_rules
from booking.services.input_rules import has_control_characters
from booking.services.referrals.force_access import CURSOR_PATTERN, MAX_OUTCOME_RANGE_DAYS

# Every limit the server applies is written here, so the OpenAPI document says it: apispec
# turns Length into minLength/maxLength, Range into minimum/maximum and Regexp into pattern.
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
# A multi-line text may hold tabs and line breaks, and no other control character.
_MULTI_LINE_CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"


def _text_pattern(control: str, *, not_blank: bool) -> str:
    """Any text without those control characters; with ``not_blank``, more than spaces (the
    server trims spaces before it checks a required value)."""
    allowed = f"[^{control}]"
    if not_blank:
        return f"^{allowed}*[^\\s{control}]{allowed}*$"
    return f"^{allowed}*$"


# A course type's slug, as the catalogue and the CSV import spell it.
SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"


def plain_text(*, min_length: int | None = None, max_length: int, multiline: bool = False) -> list:
    """Length limits, and no control characters (PostgreSQL cannot store a NUL byte, and none
    belongs in a name or reference): such a value is a 422, never a 500."""

    def no_control_characters(value: str) -> None:
        if has_control_characters(value, multiline=multiline):
            raise ValidationError("Must not contain control characters.")

    pattern = _text_pattern(
        _MULTI_LINE_CONTROL if multiline else _CONTROL, not_blank=bool(min_length)
    )
    return [
        validate.Length(min=min_length, max=max_length),
        validate.Regexp(pattern, error="Must not contain control characters."),
        no_control_characters,
    ]


def slug() -> list:
    return [
        validate.Length(min=1, max=60),
        validate.Regexp(SLUG, error="Must be a course type's slug, such as drug-awareness."),
    ]


class Strict(Schema):
    """Query strings: a parameter the operation does not know is refused (422), as the
    document says (additionalProperties: false)."""

    class Meta:
        unknown = RAISE


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
        validate=slug(),
        metadata={"description": "The course type's slug, as in the CSV import."},
    )
    referral_date = fields.Date(required=True)
    deadline = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": (
                "Leave out to use the scheme's number of days. On or after `referral_date` "
                "(a 422 otherwise: the one rule here that compares two fields)."
            )
        },
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


class ChangedQuery(Strict):
    cursor = fields.String(
        load_default=None,
        validate=[
            validate.Length(max=40),
            validate.Regexp(CURSOR_PATTERN, error="Pass a `next_cursor` this API gave out."),
        ],
        metadata={"description": "A `next_cursor` from an earlier answer."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


CLOSED = [ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED, ReferralStatus.WITHDRAWN]


class Outcome(Schema):
    """Status and date always; the rest only where the force's data-sharing agreement names it
    (services/referrals/sharing.py). Dates are YYYY-MM-DD."""

    referral_id = fields.Integer(required=True)
    police_reference = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([status.value for status in CLOSED])
    )
    date = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    outcome_code = fields.String(
        allow_none=True, metadata={"description": "The force's own code, e.g. Outcome 22."}
    )
    outcome_wording = fields.String(
        allow_none=True, metadata={"description": "The force's own words, e.g. condition met."}
    )
    completed_on = fields.String(allow_none=True, metadata={"format": "date"})
    referral_date = fields.String(metadata={"format": "date"})
    deadline = fields.String(metadata={"format": "date"})
    original_deadline = fields.String(allow_none=True, metadata={"format": "date"})
    extension_agreed_by = fields.String()
    extension_agreed_on = fields.String(allow_none=True, metadata={"format": "date"})


class OutcomePage(Schema):
    items = fields.List(fields.Nested(Outcome), required=True)
    covered_to = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": (
                f"The last day this answer covers: `to`, or the {MAX_OUTCOME_RANGE_DAYS}th day "
                "from `from` when more was asked for (ask again from the day after). Null when "
                "`to` is before `from` (nothing to cover)."
            )
        },
    )


class OutcomesQuery(Strict):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")


class Withdrawal(Schema):
    reason = fields.String(
        required=True,
        validate=plain_text(min_length=1, max_length=200, multiline=True),
        metadata={"description": "Why the force withdrew it (several lines are fine)."},
    )


class SessionsQuery(Strict):
    course_type = fields.String(required=True, validate=slug())
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


# --- Limits that move with the calendar or the catalogue --------------------------------------
# JSON Schema cannot say "within five years of today", so the document is given, each time it
# is served, a pattern listing exactly the days the server accepts that day, and the course
# types that exist: the document and the server apply one rule.


def _any_of(values: list[str]) -> str:
    return "(?:" + "|".join(values) + ")"


def _days_of_one_year(first: date, last: date) -> list[str]:
    parts = []
    for month in range(first.month, last.month + 1):
        low = first.day if month == first.month else 1
        high = last.day if month == last.month else 31
        days = _any_of([f"{day:02d}" for day in range(low, high + 1)])
        parts.append(f"{first.year:04d}-{month:02d}-{days}")
    return parts


def date_pattern(first: date, last: date) -> str:
    """A pattern that matches a YYYY-MM-DD date from ``first`` to ``last`` inclusive (with
    ``format: date`` ruling out days a month does not have)."""
    if first.year == last.year:
        parts = _days_of_one_year(first, last)
    else:
        parts = _days_of_one_year(first, date(first.year, 12, 31))
        middle = [f"{year:04d}" for year in range(first.year + 1, last.year)]
        if middle:
            months = _any_of([f"{month:02d}" for month in range(1, 13)])
            days = _any_of([f"{day:02d}" for day in range(1, 32)])
            parts.append(f"{_any_of(middle)}-{months}-{days}")
        parts += _days_of_one_year(date(last.year, 1, 1), last)
    return "^" + _any_of(parts) + "$"


def with_todays_limits(document: dict, *, today: date, course_slugs: list[str]) -> dict:
    """The OpenAPI document with the date windows of ``today`` and the course types there are."""
    create = document["components"]["schemas"]["ReferralCreate"]["properties"]
    windows = {
        "date_of_birth": input_rules.birth_date_window(today),
        "referral_date": input_rules.days_window(today, input_rules.REFERRAL_DATE_DAYS),
        "deadline": input_rules.days_window(today, input_rules.DEADLINE_DAYS),
    }
    for name, (first, last) in windows.items():
        create[name]["pattern"] = date_pattern(first, last)
        create[name]["description"] = (
            create[name].get("description", "") + f" From {first} to {last} (today's limits)."
        ).strip()
    create["course_type"]["enum"] = course_slugs
    return document
