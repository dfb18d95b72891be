from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional, ValidationError

from booking.web.forms import BaseForm


class CatalogueFilterForm(BaseForm):
    """The catalogue's filters: a GET form, so results can be bookmarked and shared."""

    class Meta:
        csrf = False  # a search changes nothing

    area = SelectField("Where you live", choices=[], validators=[Optional()], default="")
    course_type = SelectField("Course", choices=[], validators=[Optional()], default="")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    women_only = BooleanField("Women-only groups only")

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The “To” date must be the same as or after the “From” date.")
