from flask_wtf import FlaskForm
from wtforms import SubmitField


class BookForm(FlaskForm):
    submit = SubmitField("Book this session")


class CancelBookingForm(FlaskForm):
    submit = SubmitField("Cancel my booking")
