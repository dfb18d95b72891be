from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from booking.models import PaymentMethod
from booking.web.forms import BaseForm, PenceField

LESS_THAN_ASKED = "Give a reason for covering less than the person asked for: they are told it."


class WaiverDecisionForm(BaseForm):
    amount = PenceField(
        "Amount to cover, in pounds (leave empty for what they asked for)", validators=[Optional()]
    )
    reason = TextAreaField(
        "Reason (needed to decline or to give less than they asked for; the person sees it)",
        validators=[Length(max=500)],
    )
    # What the person asked for, in pence, as the page showed it: lets the form say at once
    # that giving less needs a reason (the rule in help_requests checks it again).
    asked = HiddenField()
    override_reason = TextAreaField(
        "Override reason (only to spend past the fund's balance or the yearly limit)",
        validators=[Length(max=500)],
    )
    approve = SubmitField("Approve")
    decline = SubmitField("Decline")

    def validate_reason(self, field) -> None:
        raw = (self.asked.data or "").strip()
        asked = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        given = self.amount.pence
        if self.approve.data and asked and given is not None and given < asked:
            if not (field.data or "").strip():
                raise ValidationError(LESS_THAN_ASKED)


class OfflinePaymentForm(BaseForm):
    method = SelectField(
        "How it was paid",
        choices=[
            SelectChoice(PaymentMethod.PHONE.value, "By phone"),
            SelectChoice(PaymentMethod.BANK_TRANSFER.value, "Bank transfer"),
            SelectChoice(PaymentMethod.CASH.value, "Cash"),
        ],
    )
    amount = PenceField("Amount, in pounds", validators=[InputRequired("Enter the amount.")])
    reference = StringField(
        "Reference (receipt or transfer reference)", validators=[Length(max=120)]
    )
    submit = SubmitField("Record payment")


class RefundForm(BaseForm):
    amount = PenceField(
        "Amount to refund, in pounds (leave empty for everything left)", validators=[Optional()]
    )
    reason = StringField("Reason", validators=[InputRequired("Give a reason."), Length(max=300)])
    submit = SubmitField("Refund")


class RetryRefundForm(BaseForm):
    submit = SubmitField("Send the refund again")


class FundForm(BaseForm):
    year_starting = IntegerField(
        "Financial year starting in (for example 2026 for April 2026 to March 2027)",
        validators=[InputRequired(), NumberRange(min=2000, max=2100)],
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=160)])
    funder = StringField("Funder (optional)", validators=[Length(max=160)])
    force_id = SelectField("Police force paying for it (optional)", coerce=int, default=0)
    budget = PenceField("Budget, in pounds", validators=[InputRequired()])
    cap = PenceField("Most one person can receive in the year, in pounds (optional)")
    submit = SubmitField("Create fund")


class TopUpForm(BaseForm):
    amount = PenceField("Top-up amount, in pounds", validators=[InputRequired()])
    note = StringField("Note", validators=[Length(max=300)])
    submit = SubmitField("Add to the fund")


class FindBookingForm(BaseForm):
    class Meta:
        csrf = False

    reference = StringField("Booking reference", validators=[InputRequired(), Length(max=12)])
    submit = SubmitField("Find booking")
