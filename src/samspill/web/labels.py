"""Words stored as data (roles, statuses) that pages show translated.

Listed here so that Babel's extractor puts them in the catalogs; templates call ``_(value)``.
"""

from samspill.web.i18n import marked as _  # for the extractor

ROLE_LABELS = [_("owner"), _("coder"), _("trainee"), _("viewer")]
STATUS_LABELS = [_("in_progress"), _("submitted"), _("master")]
# An assigned coder's progress on a session (services.assignments.state_of), by key.
ASSIGNMENT_WORDS = {"not_started": _("not started"), "in_progress": _("in progress"),
                    "submitted": _("submitted")}
CLASSIFICATION_LABELS = [_("disrupted"), _("not disrupted")]
SIGN_TITLES = [
    _("Lack of initiative when the child has attachment needs"),
    _("Delayed or muted responding"),
    _("Cursory responding"),
    _("Directing the child away from self"),
    _("Interaction at a distance"),
    _("Little or no hostility or intrusiveness"),
]
