from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from booking.models import WAIVER_REASON_LABELS
from booking.web.forms import BaseForm


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
    note = TextAreaField(
        "Anything you would like us to know (optional)",
        validators=[Length(max=500, message="Please keep this under 500 characters.")],
    )
    submit = SubmitField("Ask for help with the fee")
