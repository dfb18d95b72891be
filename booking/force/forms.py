from booking.staff.referrals.forms import ReferralForm, ReportForm, UploadForm


class ForceReferralForm(ReferralForm):
    """The staff referral form without the force: a force contact refers to their own."""

    force_id = None


class ForceUploadForm(UploadForm):
    force_id = None


class ForceReportForm(ReportForm):
    force_id = None
