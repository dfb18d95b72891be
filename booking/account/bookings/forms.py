from wtforms import BooleanField, SubmitField

from booking.web.forms import BaseForm


class BookForm(BaseForm):
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Book this session")


class CancelBookingForm(BaseForm):
    submit = SubmitField("Yes, cancel my booking")


class ExtendHoldForm(BaseForm):
    submit = SubmitField("Give me 30 more minutes")
