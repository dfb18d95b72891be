"""Domain errors with codes, and the one table of plain-English messages people see."""

MESSAGES = {
    "full": "Sorry, this session is full. Please choose another date.",
    "busy": "We are busy right now. Please wait a moment and try again.",
    "already_booked": "You already have a place on this session.",
    "session_not_open": "This session is no longer taking bookings.",
    "session_started": "This session has already started, so it can no longer be booked.",
    "not_found": "We could not find that booking.",
    "not_cancellable": "This booking cannot be cancelled now. Please contact us and we will help.",
    "hold_expired": "Your held place has been released because time ran out. Please book again.",
    "women_only": "This session is a women-only group.",
    "invalid_dates": "The end must be after the start.",
    "invalid_range": "The last date must be on or after the first date.",
    "too_many_sessions": "A series can have at most 60 sessions. Please choose a shorter range.",
    "capacity_below_bookings": "Capacity cannot be lower than the places already taken.",
    "session_cancelled": "This session has been cancelled.",
    "venue_required": "Choose a venue for an in-person session.",
    "session_not_found": "We could not find that session.",
    "message_empty": "Write the message before sending it.",
    "no_place_free": "There is no free place on this session to offer. "
    "Add places to the session first, or wait for one to free up.",
    "not_waiting": "This person is no longer waiting for a place on this session.",
    "scheme_needs_disposal": "Enter at least one disposal type.",
    "scheme_force": "Choose the police-force area.",
    "scheme_courses": "Choose at least one course.",
    "current_password_needed": "Enter your current password to change your email address or "
    "password, or sign in with a link we email you.",
    # Referrals, rescheduling and waiting lists.
    "referral_not_found": "We could not match those details. Please check them and try again, "
    "or contact us and we will help.",
    "referral_closed": "This referral is no longer open for booking. Please contact us.",
    "referral_already_booked": "You already have a place booked for this referral.",
    "referral_session_not_eligible": "This session does not fit your referral. "
    "Please choose one from the list.",
    "referral_required": "This course is only for people who have been referred to it. "
    "If you have a referral, start with your reference number, or contact us and we will help.",
    "referral_course_type": "This is not the course you were referred to. "
    "Please choose a session of the course in your referral.",
    "referral_area": "This session is for people referred in another area. "
    "Please choose a session in your area or online.",
    "referral_deadline": "This session ends after the date your referral must be completed by. "
    "Please choose an earlier session, or contact us and we will help.",
    "reschedule_too_late": "It is too close to the session to change it online. "
    "Please contact us and we will help.",
    "reschedule_same_session": "Please choose a different session.",
    "reschedule_other_course": "You can only move to another date of the same course. "
    "Please choose one from the list.",
    "waitlist_not_full": "This session still has places, so you can book it now.",
    "waitlist_already": "You are already on the waiting list for this session.",
    "offer_gone": "This offer is no longer available.",
    "offer_expired": "Sorry, this offer has ended and the place has passed to someone else.",
    # payments and the hardship fund
    "nothing_to_pay": "There is nothing to pay for this booking.",
    "not_awaiting_payment": "This booking is not waiting for a payment.",
    "card_payments_off": "Paying by card online is not available at the moment. "
    "Please ask for help with the fee, or contact us to pay another way.",
    "payment_provider_error": "We could not reach the card payment service. Please try again.",
    "amount_invalid": "Enter an amount in pounds and pence, more than zero.",
    "amount_not_due": "The amount must match what is still due for this booking.",
    "refund_too_much": "A refund cannot be more than what was paid and not yet refunded.",
    "payment_not_found": "We could not find that payment.",
    "waiver_not_possible": "Help with the fee can only be asked for while the fee is still due.",
    "waiver_already_decided": "This request has already been decided.",
    "asked_invalid": "Enter an amount more than £0 and no more than the fee still due.",
    "no_fund": "There is no hardship fund for this financial year yet. Create one first.",
    "fund_overspend": "This would spend more than the fund has left. "
    "An admin can override this with a reason.",
    "waiver_cap": "This would pass the yearly limit for one person. "
    "An admin can override this with a reason.",
    "reason_required": "Please give a reason.",
    "reason_for_less": "Give a reason for covering less than the person asked for: "
    "they are told it.",
    "fund_exists": "A fund with this name already exists for that year.",
    "hold_not_extendable": "This booking is not being held, so there is no time limit to extend.",
    "hold_already_extended": (
        "You have had all the extra time we can give online. Please finish now, "
        "or call us and we will help."
    ),
    "hold_not_running_out": (
        "Your place is held for a while yet. You can ask for more time when it is close to "
        "running out."
    ),
    "women_only_unconfirmed": (
        "This is a women-only group. Tick the box to confirm it is right for you, "
        "or choose another session."
    ),
    "phone_number_needed": "Enter a phone number, or untick phone, text and voicemail.",
}


# The same refusals worded for staff acting for someone (on the phone, at the desk): the person
# is "this person", and staff are told what they can do, never to "contact us" or to "start with
# your reference number". A code missing here reads the same for staff as for the person.
STAFF_MESSAGES = {
    "full": "This session is full. Choose another date, or add the person to its waiting list.",
    "already_booked": "This person already has a place on this session.",
    "not_cancellable": "This booking cannot be cancelled now (it has ended or been closed).",
    "hold_expired": "The held place was released because time ran out. Book it again.",
    "referral_not_found": "No referral matches those details. Check them against the "
    "force's referral, or find the referral under Referrals.",
    "referral_closed": "This person's referral is no longer open for booking.",
    "referral_already_booked": "This person already has a place booked for their referral. "
    "Move that booking instead.",
    "referral_session_not_eligible": "This session does not fit the person's referral. "
    "Choose one from the list.",
    "referral_required": "This course is only for people referred to it, and this person has "
    "no open referral for it. Set them up from their referral under Referrals, "
    "or choose another course.",
    "referral_course_type": "This is not the course in the person's referral. "
    "Choose a session of that course.",
    "referral_area": "This session is for people referred in another area. "
    "Choose a session in the person's area, or an online one.",
    "referral_deadline": "This session ends after the person's referral deadline. Choose an "
    "earlier session, or record an extension the force agreed (Referrals, near deadline).",
    "reschedule_too_late": "It is too close to the session to move this booking.",
    "reschedule_same_session": "Choose a different session to move the booking to.",
    "reschedule_other_course": "A booking can only move to another date of the same course. "
    "Choose one from the list.",
    "waitlist_not_full": "This session still has places: book one for the person instead.",
    "waitlist_already": "This person is already on the waiting list for this session.",
    "offer_expired": "This offer has ended and the place has passed to someone else.",
    "card_payments_off": "Card payments online are off at the moment. "
    "Take the payment by phone, or record a decision on help with the fee.",
    "waiver_not_possible": "Help with the fee can only be given while the fee is still due.",
    "hold_already_extended": "This place has already had all the extra time that can be given.",
    "hold_not_running_out": "The place is held for a while yet. More time can be given when it "
    "is close to running out.",
    "women_only_unconfirmed": "This is a women-only group. Tick the box to confirm the person "
    "asked for one, or choose another session.",
    "session_started": "This session has already started, so it can no longer be booked.",
}


class DomainError(Exception):
    """A rule said no. ``code`` picks the message; routes show it and answer 4xx, never 500."""

    http_status = 409

    def __init__(self, code: str, **context: object) -> None:
        super().__init__(code)
        self.code = code
        self.context = context

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, "Something was not right. Please try again.")

    @property
    def staff_message(self) -> str:
        """The wording for staff acting for someone (see STAFF_MESSAGES)."""
        return STAFF_MESSAGES.get(self.code, self.message)

    def message_for(self, *, staff: bool) -> str:
        """The wording for whoever is acting: staff, or the person themselves."""
        return self.staff_message if staff else self.message


class BookingError(DomainError):
    pass


class ScheduleError(DomainError):
    http_status = 400


class AccountError(DomainError):
    http_status = 400


class ReferralError(DomainError):
    http_status = 400


class PaymentError(DomainError):
    http_status = 400


class WaiverError(DomainError):
    http_status = 409


class PreferencesError(DomainError):
    http_status = 400


# --- trainers and allocation ------------------------------------------------------
MESSAGES.update(
    {
        "already_assigned": "This trainer is already on this session.",
        "session_fully_staffed": "This session already has all the trainers it needs.",
        "not_qualified": "This trainer is not qualified to deliver this course.",
        "area_not_covered": "This trainer does not cover this session's area (or online).",
        "cannot_lead_women_only": "This is a women-only group and this trainer cannot lead one.",
        "not_available": "This trainer is not available then (weekly pattern, leave or time off).",
        "trainer_clash": (
            "This trainer has another session too close to this one (including travel time)."
        ),
        "weekly_maximum": "This trainer already has their maximum number of sessions that week.",
        "run_not_proposed": "This allocation has already been published or discarded.",
        "run_not_running": "This allocation is no longer being worked out.",
        "not_all_marked": "Mark every attendee before closing the session.",
        "session_not_started": "A session can only be closed once it has started.",
        "session_closed": "This session has already been closed.",
        "invalid_slot": "Choose a day and an end time after the start time.",
        "not_a_trainer": "Only a trainer account can have a trainer profile.",
    }
)

# --- referral outcomes, attendance and session changes -------------------------------------
MESSAGES.update(
    {
        "invalid_transition": "This referral cannot be changed that way from its current state.",
        "attendance_too_early": (
            "Attendance can be recorded once the session has started. Please come back then."
        ),
        "session_not_closed": "Only a closed session's attendance can be corrected here.",
        "not_on_session": "That person does not have a place on this session.",
        "session_in_past": "A session cannot be moved into the past. Choose a later date.",
        "session_too_far_ahead": (
            "A session can be at most two years ahead. Choose an earlier date."
        ),
        "session_delivered": "This session has already been delivered and cannot be changed.",
    }
)


class ContactError(DomainError):
    http_status = 409


# --- safe contact: calls to make, messages withheld or failed -----------------------------
MESSAGES.update(
    {
        "contact_task_gone": "This has already been dealt with, or it no longer exists.",
        "channel_not_safe": (
            "That way of contact is not safe for this person now. Choose one of the ways listed."
        ),
        "call_outcome_unknown": "Choose what happened on the call.",
        "postal_address_needed": "Enter your postal address, or untick post.",
        "safe_hours_order": "Choose an end time after the start time.",
    }
)

# --- staff acting for a person, and staff accounts -----------------------------------------
MESSAGES.update(
    {
        "email_in_use": "Another account already has this email address. Search for the "
        "person first; they may already be here.",
        "no_safe_channel": "This person has not said email is safe, so no link can be sent. "
        "Take the payment by phone, or ask them how it is safe to reach them.",
        "not_a_staff_role": "Choose one of the staff roles.",
        "force_needed": "Choose the police force this contact works for.",
        "cannot_deactivate_self": "You cannot deactivate your own account.",
        "account_not_found": "We could not find that account.",
    }
)

# --- police forces: the API, extensions ------------------------------------------------------
MESSAGES.update(
    {
        "extension_agreed_by": (
            "Enter the name of the person at the force who agreed the extension."
        ),
        "extension_not_later": "The new deadline must be later than the current one.",
        "duplicate_reference": "A referral with this police reference already exists.",
        "idempotency_key_reused": (
            "This Idempotency-Key was already used for a different referral."
        ),
    }
)
