"""The transcript's API shapes and the strings of the coding screen's transcript pane."""

from __future__ import annotations

from pydantic import BaseModel, Field

from samspill.services.transcripts import MAX_CHARS
from samspill.web.i18n import marked as _  # for the extractor

# The strings of the coding screen's transcript pane (static/transcript.js).
TRANSCRIPT_STRINGS = (
    _("Go to the {code} event at {time}"),
    _("Imported {n} entries"),
    _("No entries yet: Edit, then Alt + N writes the video's time"),
    _("No transcript yet"),
    _("No {code} event within 2 s"),
    _("Not imported: {message}"),
    _("Not saved yet"),
    _("Replace the transcript with {name}?"),
    _("Saving…"),
    _("The transcript was changed elsewhere (version {n}). Yours is still here."),
    _("Version {n}, saved"),
    _("Went to {time}"),
    _("Your unsaved transcript text is back; saving it"),
    _("Offline: not saved yet, kept in this browser"),
)



class TranscriptIn(BaseModel):
    text: str = Field(max_length=MAX_CHARS)
    version: int = Field(ge=0, description="The version the text was based on (0: none yet).")
