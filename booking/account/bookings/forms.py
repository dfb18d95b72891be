from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class BookForm(FlaskForm):
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Book this session")


class CancelBookingForm(FlaskForm):
    submit = SubmitField("Cancel my booking")


class ExtendHoldForm(FlaskForm):
    submit = SubmitField("Give me 30 more minutes")
