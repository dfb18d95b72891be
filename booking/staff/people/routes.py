"""Find a person, see their record, set them up, and write down their answers."""

from dataclasses import fields

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services.notify import channels as contact
from booking.services.people import acting, directory, preferences
from booking.staff.access import NEEDS
from booking.staff.people.blueprint import bp
from booking.staff.people.forms import AnswersForm, FindPersonForm, NewPersonForm, WhyForm
from booking.staff.people.lookups import attendee_or_404

ANSWER_FIELDS = [item.name for item in fields(preferences.Answers)]


def answers_from(form: AnswersForm) -> preferences.Answers:
    """The form's answers; a box or field left out of the post is the answer's default."""
    defaults = preferences.Answers()
    return preferences.Answers(
        **{
            name: value
            if (value := getattr(form, name).data) is not None
            else getattr(defaults, name)
            for name in ANSWER_FIELDS
        }
    )


@bp.get("/")
def find():
    """Search for anyone by name, email, phone, police reference or booking reference."""
    form = FindPersonForm(request.args)
    matches = None
    if "q" in request.args and form.validate():
        with unit_of_work():  # who searched for whom is itself recorded
            directory.record_search(form.q.data, by=current_user, now=utcnow())
        matches = directory.search(form.q.data)
    return render_template("staff/people/find.html", form=form, matches=matches)


@bp.get("/<int:person_id>")
def person(person_id: int):
    """One person's record: bookings, referrals, waiting lists, money, messages, and needs
    for the roles whose work needs them."""
    with_needs = current_user.role in NEEDS
    with unit_of_work():  # who looked at a person's record is itself recorded
        found = directory.record_viewed(
            person_id, viewer=current_user, with_needs=with_needs, now=utcnow()
        )
    record = directory.person_record(person_id, with_needs=with_needs) if found else None
    if record is None:
        abort(404)
    return render_template(
        "staff/people/person.html",
        record=record,
        email=contact.email_address(record.person),
        why_form=WhyForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new_person():
    """Add a person who called, with or without an email address, and their answers."""
    form = NewPersonForm()
    if form.validate_on_submit():
        with unit_of_work():
            person = acting.create_person(
                first_name=form.first_name.data,
                last_name=form.last_name.data or "",
                email=form.email.data or "",
                answers=answers_from(form),
                by=current_user,
                why=form.why.data,
                now=utcnow(),
            )
            person_id = person.id
        flash("Added. You can book a place for them now.", "success")
        return redirect(url_for("staff.people.person", person_id=person_id), 303)
    return render_template("staff/people/new.html", form=form), 400 if form.errors else 200


@bp.post("/referrals/<int:referral_id>/person")
def from_referral(referral_id: int):
    """Set up the person a referral is for, to book for them."""
    form = WhyForm()
    if not form.validate_on_submit():
        flash("Say briefly why, for the record.", "error")
        return redirect(url_for("staff.people.find"), 303)
    with unit_of_work():
        person = acting.person_from_referral(
            referral_id, by=current_user, why=form.why.data, now=utcnow()
        )
        person_id = person.id
    return redirect(url_for("staff.people.person", person_id=person_id), 303)


@bp.route("/<int:person_id>/answers", methods=["GET", "POST"])
def answers(person_id: int):
    """Write down what the person needs and how it is safe to contact them."""
    person = attendee_or_404(person_id)
    form = AnswersForm()
    if request.method == "GET":
        saved = preferences.Answers.from_profile(contact.profile_for(person))
        for name in ANSWER_FIELDS:
            getattr(form, name).data = getattr(saved, name)
    if form.validate_on_submit():
        with unit_of_work():
            acting.save_answers(
                attendee_or_404(person_id),
                answers_from(form),
                by=current_user,
                why=form.why.data,
                now=utcnow(),
            )
        flash("Their answers are saved.", "success")
        return redirect(url_for("staff.people.person", person_id=person_id), 303)
    return (
        render_template(
            "staff/people/answers.html",
            form=form,
            person=person,
            has_email=acting.has_real_email(person),
        ),
        400 if form.errors else 200,
    )


@bp.get("/access-log")
def access_log():
    """Who searched for, or looked at, people's records and needs: newest first."""
    return render_template("staff/people/access_log.html", entries=directory.access_log())
