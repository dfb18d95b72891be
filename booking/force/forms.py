from booking.staff.referrals.forms import (
    ReferralForm,
    ReportForm,
    RevokeForm,
    TokenForm,
    UploadForm,
    WebhookForm,
)

__all__ = ["RevokeForm", "TokenForm"]


class ForceReferralForm(ReferralForm):
    """The staff referral form without the force: a force contact refers to their own."""

    force_id = None


class ForceUploadForm(UploadForm):
    force_id = None


class ForceReportForm(ReportForm):
    force_id = None


class ForceWebhookForm(WebhookForm):
    """The address only: a force contact gets a secret made for them (rotated, shown once)."""

    secret = None
