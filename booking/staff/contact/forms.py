from wtforms import SelectChoice, SelectField, SubmitField

from booking.models import Channel
from booking.services.notify.channels import CHANNEL_NAMES
from booking.web.forms import BaseForm


class CallOutcomeForm(BaseForm):
    """One button per outcome: the button pressed is the outcome recorded."""

    spoke = SubmitField("Spoke to them")
    no_answer = SubmitField("No answer")
    wrong_number = SubmitField("Wrong number")

    def outcome(self) -> str:
        for name in ("spoke", "no_answer", "wrong_number"):
            if getattr(self, name).data:
                return name
        return ""


class ResendForm(BaseForm):
    channel = SelectField(
        "Send it by",
        choices=[SelectChoice(channel.value, CHANNEL_NAMES[channel]) for channel in Channel],
    )
    submit = SubmitField("Send again this way")
