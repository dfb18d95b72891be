"""Entering referrals by hand or from a CSV file: the police force's pages and the staff desk
take the same fields and the same file, so they read them the same way here."""

from datetime import datetime

from booking.database import unit_of_work
from booking.models import PoliceForce, User
from booking.services.referrals import admin as referral_admin


def values_from(form) -> dict[str, str]:
    """The referral form's answers as the service takes them (dates as ISO text)."""
    return {
        "police_reference": form.police_reference.data,
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "date_of_birth": form.date_of_birth.data.isoformat(),
        "email": form.email.data or "",
        "phone": form.phone.data or "",
        "disposal_type": form.disposal_type.data or "",
        "course_type": form.course_type.data,
        "referral_date": form.referral_date.data.isoformat(),
        "deadline": form.deadline.data.isoformat() if form.deadline.data else "",
    }


def create_from(form, force: PoliceForce, *, by: User, now: datetime) -> bool:
    """Save one referral from a validated form. A refusal (a reference already used, a course
    the force does not refer to...) goes on the police reference field and saves nothing."""
    try:
        with unit_of_work():
            referral_admin.create_referral(force, values_from(form), by=by, now=now)
    except ValueError as error:
        form.police_reference.errors = [
            *form.police_reference.errors,
            str(error).capitalize() + ".",
        ]
        return False
    return True


def import_upload(
    form, force: PoliceForce, *, by: User, now: datetime
) -> tuple[int | None, list[referral_admin.RowError]]:
    """Import the uploaded CSV: every row or none. Returns how many were imported (None when
    refused) and the rows' errors."""
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [referral_admin.RowError(1, "the file is not UTF-8 text")]
    try:
        with unit_of_work():
            return len(referral_admin.import_csv(force, text, by=by, now=now)), []
    except referral_admin.ImportRejected as rejected:
        return None, rejected.errors
