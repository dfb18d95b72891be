from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from booking.models import WAIVER_REASON_LABELS
from booking.services.money.amounts import pounds
from booking.web.forms import BaseForm, PenceField


class PayByCardForm(BaseForm):
    submit = SubmitField("Pay by card")


class WaiverRequestForm(BaseForm):
    reason = RadioField(
        "What makes the fee hard to pay?",
        choices=[
            SelectChoice(reason.value, label) for reason, label in WAIVER_REASON_LABELS.items()
        ],
        validators=[InputRequired("Choose the answer that fits best.")],
    )
    how_much = RadioField(
        "How much help do you need?",
        choices=[
            SelectChoice("all", "All of the fee"),
            SelectChoice("part", "Part of it: I can pay some myself"),
        ],
        default="all",
        validators=[Optional()],  # left unanswered, it is the whole fee
    )
    part = PenceField(
        "If part: how much should the fund pay, in pounds?",
        validators=[Optional()],
    )
    note = TextAreaField(
        "Anything you would like us to know (optional)",
        validators=[Length(max=500, message="Please keep this under 500 characters.")],
    )
    submit = SubmitField("Ask for help with the fee")

    def asked_pence(self, due_pence: int) -> int | None:
        """The part asked for, or None for all of the fee. Call after validating; adds a
        message to the form and returns -1 when the part cannot be right."""
        if self.how_much.data != "part":
            return None
        asked = self.part.pence
        if asked is None:
            self.part.errors = [*self.part.errors, "Enter how much the fund should pay."]
            return -1
        if not 0 < asked <= due_pence:
            self.part.errors = [
                *self.part.errors,
                f"Enter an amount more than £0 and no more than {pounds(due_pence)}.",
            ]
            return -1
        return asked
