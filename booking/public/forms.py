from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from booking.services.bookings import catalogue, places
from booking.web.forms import BaseForm


class CatalogueFilterForm(BaseForm):
    """The catalogue's filters: a GET form, so results can be bookmarked and shared."""

    class Meta:
        csrf = False  # a search changes nothing

    place = StringField(
        "Town or postcode (optional)", validators=[Optional(), Length(max=40)], default=""
    )
    area = SelectField("Where you live", choices=[], validators=[Optional()], default="")
    course_type = SelectField("Course", choices=[], validators=[Optional()], default="")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    women_only = BooleanField("Women-only groups only")
    referred = RadioField(
        "Have you been referred by the police?",
        choices=[
            SelectChoice(catalogue.REFERRED, "Yes, I have a reference number from the police"),
            SelectChoice(catalogue.NOT_REFERRED, "No: show only sessions anyone can book"),
        ],
        validators=[Optional()],
        default="",
    )

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The “To” date must be the same as or after the “From” date.")

    def validate_place(self, field) -> None:
        if (field.data or "").strip() and places.area_for(field.data) is None:
            raise ValidationError(
                "We could not find that town or postcode. Try the first part of a postcode, "
                "like SG1, or choose an area."
            )
