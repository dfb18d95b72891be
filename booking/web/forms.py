"""Small pieces shared by the forms of every blueprint.

``BaseForm`` is the one base class for the app's forms. Whatever a form declares, it refuses
control characters in every text field, integers outside a database integer and dates outside
a sane window, each with a message a person can act on, so bad input never reaches the
database (PostgreSQL refuses NUL bytes and out-of-range integers with an error, not a message).
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import g, has_request_context, request
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    Field,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.utils import unset_value
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from booking.services import input_rules as rules
from booking.services.money.amounts import MAX_PENCE, parse_pounds

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", flags=re.ASCII)


def safe_next(target: str | None, default: str) -> str:
    """Only follow a ``next`` that stays on this site (a path), never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def database_id(text: str) -> int:
    """A row id typed into a form (``request.form.get(name, type=database_id)``): ASCII digits
    and no larger than a database integer, else ValueError (so ``get`` gives None)."""
    if not re.fullmatch(r"[0-9]{1,10}", text.strip(), flags=re.ASCII):
        raise ValueError("not a row id")
    value = int(text)
    if not 0 < value <= INT32_MAX:
        raise ValueError("not a row id")
    return value


class NoControlCharacters:
    """Refuse text holding control characters instead of storing (or failing on) them."""

    field_flags: dict = {}

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        data = field.data
        if isinstance(data, str) and rules.has_control_characters(data, multiline=self.multiline):
            raise ValidationError(
                "This contains control characters (invisible characters that cannot be "
                "saved). Please type it again."
            )


def fits(column, what: str = "this") -> Length:
    """A Length validator matched to a model's string column, so nothing is silently cut."""
    limit = rules.column_length(column)
    return Length(max=limit, message=f"Use {limit} characters or fewer for {what}.")


class DateWithin:
    """Refuse a date outside a window; ``earliest``/``latest`` are callables of today."""

    def __init__(
        self,
        earliest: Callable[[date], date],
        latest: Callable[[date], date],
        message: str | None = None,
    ) -> None:
        self.earliest = earliest
        self.latest = latest
        self.message = message

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if hasattr(value, "date"):  # a datetime
            value = value.date()
        today = date.today()
        earliest, latest = self.earliest(today), self.latest(today)
        if not earliest <= value <= latest:
            raise ValidationError(
                self.message or f"Enter a date between {earliest:%-d %B %Y} and {latest:%-d %B %Y}."
            )


def any_sane_date() -> DateWithin:
    """The window every date field has unless it says otherwise."""
    return DateWithin(lambda _: rules.EARLIEST_DATE, lambda _: rules.LATEST_DATE)


def session_date() -> DateWithin:
    """A session is planned at most two years ahead (and edited up to ten years back)."""
    return DateWithin(
        lambda today: rules.years_from(today, -10),
        lambda today: rules.years_from(today, 2),
        "A session can be at most two years ahead (or ten years back). Check the date.",
    )


def plausible_birth_date() -> DateWithin:
    """A date of birth a living person could have: not in the future, at most 120 years ago."""
    return DateWithin(
        lambda today: rules.birth_date_window(today)[0],
        lambda today: rules.birth_date_window(today)[1],
        "Enter a real date of birth, like 27 3 1990.",
    )


def within_days(back: int, ahead: int) -> DateWithin:
    """A date from ``back`` days ago to ``ahead`` days from today."""
    return DateWithin(
        lambda today: rules.days_window(today, (back, ahead))[0],
        lambda today: rules.days_window(today, (back, ahead))[1],
    )


class PenceField(StringField):
    """An amount of money typed in pounds ('30', '30.50', '£1,030'). ``data`` stays the text a
    person typed (so a refused form shows it back); ``pence`` is the amount in integer pence,
    or None when the field was left empty. A non-empty value that is not money is refused."""

    def pre_validate(self, form) -> None:
        if (self.data or "").strip() and parse_pounds(self.data) is None:
            raise ValidationError(
                f"Enter an amount in pounds, like 30 or 30.50, up to £{MAX_PENCE // 100:,}."
            )

    @property
    def pence(self) -> int | None:
        return parse_pounds(self.data)


DATE_PARTS = ("day", "month", "year")


class DatePartsField(Field):
    """A date typed as day, month and year in three boxes (``<name>-day`` and so on), as GOV.UK
    asks for a date of birth: no browser date picker, no order that differs by browser.
    ``parts`` keeps what was typed, so a refused form shows it back."""

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        self.parts: tuple[str, str, str] = (
            (str(data.day), str(data.month), str(data.year))
            if isinstance(data, date)
            else ("", "", "")
        )
        self.raw_data = []
        if formdata is None:
            return
        typed = [str(formdata.get(f"{self.name}-{part}") or "").strip()[:8] for part in DATE_PARTS]
        self.parts = (typed[0], typed[1], typed[2])
        self.data = None
        if not any(typed):
            self._process_one_box(str(formdata.get(self.name) or "").strip())
            return
        self.raw_data = ["-".join(typed)]
        if not all(_WHOLE_NUMBER.fullmatch(part) for part in typed) or len(typed[2]) != 4:
            self.process_errors.append(f"{self.label.text} must be a real date, like 27 3 1990.")
            return
        try:
            self.data = date(int(typed[2]), int(typed[1]), int(typed[0]))
        except ValueError:
            self.process_errors.append(f"{self.label.text} must be a real date, like 27 3 1990.")

    def _process_one_box(self, text: str) -> None:
        # The same date as one ISO value (YYYY-MM-DD), as scripts and older pages send it.
        if not text:
            return
        self.raw_data = [text]
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.process_errors.append(f"{self.label.text} must be a real date, like 27 3 1990.")
            return
        self.parts = (str(self.data.day), str(self.data.month), str(self.data.year))

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        return "-".join(self.parts)


class AsciiWholeNumber:
    """Refuse a number typed in other digits: ``int`` reads '٣' as 3, which nobody meant."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        raw = field.raw_data[0] if field.raw_data else ""
        if isinstance(raw, str) and raw.strip() and not _WHOLE_NUMBER.fullmatch(raw.strip()):
            raise ValidationError("Enter a whole number using the digits 0 to 9.")


class _SafeMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        extra: list[Callable[[Any, Any], None]] = []
        existing = list(field.validators)
        if isinstance(field, StringField):
            extra.append(NoControlCharacters(multiline=isinstance(field, TextAreaField)))
        if isinstance(field, IntegerField) and not _has(existing, NumberRange):
            extra.append(NumberRange(INT32_MIN, INT32_MAX, "Enter a number of a sensible size."))
        if isinstance(field, IntegerField):
            extra.append(AsciiWholeNumber())
        if isinstance(field, DateField | DateTimeLocalField) and not _has(existing, DateWithin):
            extra.append(any_sane_date())
        if extra:
            field.validators = [*extra, *existing]
        return field


def _has(validators, kind: type) -> bool:
    return any(isinstance(validator, kind) for validator in validators)


# Which field a rule's refusal is shown beside: the first of these names the form has. A code
# not listed here (or a form without such a field) is shown above the form instead.
FIELD_FOR_CODE: dict[str, tuple[str, ...]] = {
    "capacity_below_bookings": ("capacity",),
    "venue_required": ("venue_id",),
    "invalid_dates": ("end_time", "ends_at", "end", "deadline"),
    "invalid_range": ("repeat_until", "last_date", "end"),
    "too_many_sessions": ("repeat_until", "last_date"),
    "session_in_past": ("date", "starts_at"),
    "session_too_far_ahead": ("date", "starts_at"),
    "amount_invalid": ("amount",),
    "amount_not_due": ("amount",),
    "refund_too_much": ("amount",),
    "fund_overspend": ("override_reason", "amount"),
    "waiver_cap": ("override_reason", "amount"),
    "reason_required": ("reason", "why", "override_reason", "note"),
    "phone_number_needed": ("phone_number",),
    "fund_exists": ("name",),
    "not_a_trainer": ("user_id",),
    "already_assigned": ("trainer_id",),
    "not_qualified": ("trainer_id",),
    "area_not_covered": ("trainer_id",),
    "cannot_lead_women_only": ("trainer_id",),
    "not_available": ("trainer_id",),
    "trainer_clash": ("trainer_id",),
    "weekly_maximum": ("trainer_id",),
    "invalid_slot": ("ends", "end_time"),
    "women_only_unconfirmed": ("women_only_confirmed",),
    "full": ("session_id",),
    "already_booked": ("session_id",),
    "session_not_open": ("session_id",),
    "session_started": ("session_id",),
    "reschedule_same_session": ("session_id",),
    "reschedule_other_course": ("session_id",),
    "referral_course_type": ("session_id",),
    "referral_area": ("session_id",),
    "referral_deadline": ("session_id",),
    "referral_required": ("session_id",),
    "email_in_use": ("email",),
}


class RuleRefusal:
    """A rule (a DomainError) refused a form that was valid as typed. The page is shown again
    (see booking/web/errors.py) with the typed values and the rule's message beside its field."""

    def __init__(self, form_class: type, code: str, message: str, field: str | None) -> None:
        self.form_class = form_class
        self.code = code
        self.message = message
        self.field = field
        self.shown = False
        self.flashed = False

        names = (field,) if field else FIELD_FOR_CODE.get(code, ())
        # Declared fields are class attributes (unbound) until a form is built.
        self.beside = next(
            (n for n in names if isinstance(getattr(form_class, n, None), UnboundField)), None
        )

    def attach_to(self, form: "BaseForm") -> None:
        if self.beside is not None and self.beside in form._fields:
            field = form._fields[self.beside]
            field.errors = [*field.errors, self.message]
        self.shown = True


# Set on a request whose form token was refused: its form is shown again, never acted on.
CSRF_REFUSED = "waypoint.csrf_refused"
LOST_SESSION = (
    "We could not send this safely: the page was open a long time, or your browser forgot "
    "this site. Nothing has been saved. Check your answers below and press the button again."
)


class BaseForm(FlaskForm):
    """Every form's base: FlaskForm (CSRF) plus the app-wide input rules above."""

    class Meta(_SafeMeta):
        pass

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        posted = has_request_context() and request.method == "POST"
        if posted and request.environ.get(CSRF_REFUSED):
            valid = False  # never act on a form whose token was refused
        if valid and posted:
            refusal = g.get("rule_refusal")
            if refusal is not None and not refusal.shown and type(self) is refusal.form_class:
                # The second showing of a page whose first try a rule refused: this form, as
                # typed, takes the rule's message and is shown again instead of acting twice.
                refusal.attach_to(self)
                valid = False
            else:
                # Remembered in case a rule refuses what this form asked for.
                g.submitted_form_class = type(self)
        if not valid and "csrf_token" in self._fields and self._fields["csrf_token"].errors:
            self._fields["csrf_token"].errors = [LOST_SESSION]
        if not valid and has_request_context() and request.method == "POST":
            # A page shown again with the form's messages answers 400, not 200, and a route
            # that answers a refused form with abort(400) still shows what to fix (see
            # booking/web/errors.py).
            g.refused_form = [
                (field.label.text, message)
                for field in self
                for message in field.errors
                if isinstance(message, str)
            ]
        return valid


# Every page where a person chooses a password asks the same: long enough, not absurdly long.
PASSWORD_RULES = [
    Length(min=10, message="Use at least 10 characters."),
    Length(max=200, message="Use 200 characters or fewer."),
]


def new_password(label: str = "Choose a password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired("Choose a password."), *PASSWORD_RULES])


def password_again(label: str = "Type the password again") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The passwords do not match."),
        ],
    )
