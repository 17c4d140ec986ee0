"""Words stored as data (roles, statuses) that pages show translated.

Listed here so that Babel's extractor puts them in the catalogs; templates call ``_(value)``.
"""


def _(message: str) -> str:
    return message


ROLE_LABELS = [_("owner"), _("coder"), _("trainee"), _("viewer")]
STATUS_LABELS = [_("in_progress"), _("submitted"), _("master")]
