"""The coding workspace: one page per coding, where a coder watches the video and codes it.

The page carries everything the screen needs in one JSON block (scheme, events, ratings,
segments, media, settings, and the JS strings in the request's language), so it is usable
without a second round trip. Writes go through the browser's outbox to the actions API.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from samspill.core.ambiance import disrupted_cutoff_of
from samspill.core.errors import SamspillError
from samspill.core.indicators import INDICATORS
from samspill.core.scheme import Scheme, SegmentTemplate
from samspill.core.scheme_labels import (
    localised,
    localised_template,
    option_labels,
    scheme_translation,
)
from samspill.interop.events_csv import write_events_csv
from samspill.services import access as policy
from samspill.services import assist_decisions, coding_ratings, codings, studies, workspace
from samspill.services.media import media_of
from samspill.services.schemes import segment_template_for
from samspill.store.models import Coding, Study
from samspill.web import i18n
from samspill.web.assist_schemas import ASSIST_STRINGS
from samspill.web.deps import Access, DbSession, ReadCoding
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.master_notice import master_done
from samspill.web.templating import templates
from samspill.web.transcript_schemas import TRANSCRIPT_STRINGS

router = APIRouter(tags=["workspace"])



# Every string the scripts show. The keys are the English msgids; i18n.js looks them up.
JS_STRINGS = (
    *ASSIST_STRINGS,
    *TRANSCRIPT_STRINGS,
    _("Audio"),
    _("no audio"),
    _("Loading the audio…"),
    _("The audio could not be read"),
    _("Saved"),
    _("{n} pending"),
    _("Offline: {n} pending, kept in this browser"),
    _("Sending {n}…"),
    _("Not saved: {message}"),
    _("Your login has expired or changed: reload the page; nothing is lost"),
    _("This coding is open in another tab: this tab is read only"),
    _("This coding is locked (submitted); ask the study's owner to reopen it"),
    _("You can read this coding but not change it"),
    _("running"),
    _("{code} started {seconds} s ago: press {key} again to stop it"),
    _("A state cannot stop before it starts"),
    _("'{code}' would overlap another '{code}' for {subject}"),
    _("Choose {label} for {code}"),
    _("Press a number; Enter to confirm, Escape to skip"),
    _("Nothing to undo"),
    _("Nothing to redo"),
    _("Undone: {what}"),
    _("Redone: {what}"),
    _("Deleted {code} at {time}"),
    _("Logged {code} at {time}"),
    _("Subject: {subject}"),
    _("Time"),
    _("End"),
    _("Subject"),
    _("Code"),
    _("Modifiers"),
    _("Comment"),
    _("Save"),
    _("Cancel"),
    _("Delete"),
    _("Edit event at {time}"),
    _("Not a time: use mm:ss.mmm"),
    _("Segment start marked at {time}: press ] at its end"),
    _("Mark a segment's start first"),
    _("Segment {name} marked"),
    _("disrupted"),
    _("not disrupted"),
    _("Classification: {classification} (cut-off {cutoff})"),
    _("Rate the level to see the classification"),
    _("Scores cannot be computed yet: {message}"),
    _("How to fix it: {fix}"),
    _("Scores update when no state is running"),
    # Conflicts, set-aside actions, segments, a tab taking over (issue 20).
    _("Server error: {n} pending, kept in this browser; trying again"),
    _("Deleted segment {name}"),
    _(
        "Delete segment {name} ({start}–{end})? Every coding of this session loses it; Ctrl + Z "
        "undoes it."
    ),
    _("This event was deleted in another window"),
    _("This event was changed in another window"),
    _("Keep mine"),
    _("Take theirs"),
    _("Yours: {what}"),
    _("Theirs: {what}"),
    _("deleted"),
    _("Send again"),
    _("Discard"),
    _("{n} action(s) set aside, not saved:"),
    _("How to fix it: {fix}"),
    _("The other tab was closed: this tab can code now"),
    # The scores panel; the words of the signs themselves come translated in its data.
    _("Scope"),
    _("Stability"),
    _("Stability is being recomputed: it shows when you pause"),
    _("Evidence"),
    _("Qualifier of the profile (not a sign): hostility or intrusiveness"),
    _(
        "The thresholds are this study's settings, not clinical norms. The indicators support a "
        "trained coder's judgement; they are no diagnosis."
    ),
    _("Submit this coding? It will be locked."),
    _("Wait until everything is saved, then submit"),
    _("{n} change(s) were set aside and are not saved: send them again or let them go, then "
      "submit"),
    # The screen's keys, pop-up, ratings, timeline and list (issue 20).
    _("Not a time: use mm:ss.mmm (Escape leaves the field)"),
    _("Press a number, or ↑ ↓ and Enter; Escape to skip"),
    _("Press numbers to choose, then Enter; Escape to skip"),
    _("Press a number, or ↑ ↓ and Enter (required: cannot be skipped)"),
    _("Press numbers to choose, then Enter (required: cannot be skipped)"),
    _("Press a number, or choose with ↑ ↓ first"),
    _("{label} is required: choose an option"),
    _("Rated {what} (Ctrl + Z undoes it)"),
    _("{shown} of {total}"),
    _("Mute"),
    _("Unmute"),
    # Several cameras (issue 14): the sync bar's messages.
    _("Offset of {clip}: {offset}"),
    _("Offset saved"),
    _("Offset changed in this view only: only the study's owner can save it"),
    _("Looking for the clap…"),
    _("Clap found: offset {offset} ({percent} % sure). Keep it?"),
    _("Clap found, but unsure: offset {offset} ({percent} % sure). Keep it?"),
    _("Main view: {clip}"),
    _("not started yet"),
    _("ended"),
    # The browser's storage refusing a write, and what an action set aside was (in words).
    _("the browser broke off storing it"),
    _("this browser did not store it"),
    _("this browser's storage is full"),
    _("Added an event"),
    _("Edited an event"),
    _("Deleted an event"),
    _("Changed a rating"),
    _("Marked a segment"),
    _("Deleted a segment"),
    _("Rejected a suggestion"),
    _("Reopened a suggestion"),
    _("A segment must end after it starts"),
)

INDICATOR_TITLES = tuple(spec.title for spec in INDICATORS.values())  # in the catalogs already


def _can_write(access: Access) -> bool:
    return policy.holds(access.role, "coding.write") and policy.may_write_coding(
        access.member, access.the_coding
    )


def _media(db: DbSession, coding: Coding) -> dict[str, Any] | None:
    found = media_of(db, coding.session)
    if not found:
        return None
    media = found[0]
    return {
        "url": f"/api/media/{media.id}",
        "waveform_url": f"/api/media/{media.id}/waveform",
        "fps": media.fps,
        "offset_ms": media.offset_ms,
        "duration_ms": media.duration_ms,
    }


def _media_list(db: DbSession, coding: Coding) -> list[dict[str, Any]]:
    """Every clip of the session, the main one first (issue 14): the sync module plays the
    others in step with it."""
    return [
        {
            "id": media.id,
            "url": f"/api/media/{media.id}",
            "filename": media.filename,
            "fps": media.fps,
            "offset_ms": media.offset_ms,
            "duration_ms": media.duration_ms,
        }
        for media in media_of(db, coding.session)
    ]


def _cutoff(scheme: Scheme, study: Study) -> float | None:
    try:
        return disrupted_cutoff_of(scheme, (study.settings or {}).get("disrupted_cutoff"))
    except SamspillError:
        return None


def shown_scheme(scheme: Scheme) -> Scheme:
    """The scheme with its labels in the request's language, for display only."""
    return localised(scheme, scheme_translation(scheme, i18n.current_language.get()))


def _template_names(template: SegmentTemplate | None, language: str) -> dict[str, str]:
    """Segment names to show, by segment id; the stored name stays the template's own."""
    if template is None:
        return {}
    return {s.id: s.name for s in localised_template(template, language).segments}


def boot_data(db: DbSession, access: Access) -> dict[str, Any]:
    """Everything the workspace's scripts start from."""
    coding = access.coding
    assert coding is not None and access.study is not None
    scheme = codings.coding_scheme(coding)
    template = segment_template_for(db, coding.session.procedure)
    language = i18n.current_language.get()
    translations = i18n.translations(language)
    scheme_words = scheme_translation(scheme, language)
    return {
        "coding": {
            "id": coding.id,
            "status": coding.status,
            "coder": coding.coder.username,
            "study": access.study.name,
            "session": coding.session.name,
        },
        "role": access.role,
        "can_write": _can_write(access),
        # Display labels only: ids and option values are the stored ones, in every language.
        "scheme": localised(scheme, scheme_words).model_dump(mode="json"),
        "labels": option_labels(scheme, scheme_words),
        "events": workspace.event_rows(db, coding),
        "ratings": coding_ratings.ratings_of(db, coding),
        "segment_ratings": coding_ratings.segment_ratings_of(db, coding),
        "segments": [s.model_dump(mode="json") for s in studies.segments_of(db, coding.session)],
        "template": template.model_dump(mode="json") if template else None,
        "template_names": _template_names(template, language),
        "media": _media(db, coding),
        "media_list": _media_list(db, coding),
        # Saving a clip's offset is editing the session (the owner's, as uploading is).
        "can_edit_media": policy.holds(access.role, "study.manage"),
        "duration_ms": coding.session.duration_ms,
        "cutoff": _cutoff(scheme, access.study),
        "show_scores": policy.scores_visible(access.the_study, access.role),
        "strings": {s: translations.gettext(s) for s in (*JS_STRINGS, *INDICATOR_TITLES)},
        "assist": {"shown": assist_decisions.shown_in(coding, access.role)},
    }


@router.get("/codings/{coding_id}", include_in_schema=False)
def workspace_page(
    request: Request,
    access: ReadCoding,
    db: DbSession,
    master: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    coding = access.coding
    assert coding is not None
    boot = boot_data(db, access)
    return templates.TemplateResponse(
        request,
        "coding.html",
        {
            "user": access.user,
            "csrf": access.csrf,
            "role": access.role,
            "coding": coding,
            "scheme": shown_scheme(codings.coding_scheme(coding)),
            "boot": boot,
            "master_done": master_done(master, [coding]),
        },
    )


@router.get("/api/codings/{coding_id}/workspace")
def workspace_data(access: ReadCoding, db: DbSession) -> dict[str, Any]:
    """The page's start data as JSON, for scripts and for reconciling after a refused action."""
    return boot_data(db, access)


@router.get("/api/codings/{coding_id}/events.csv")
def events_csv(access: ReadCoding, db: DbSession) -> Response:
    """This coding's events in Samspill's CSV format: the screen's Export button."""
    coding = access.the_coding
    body = write_events_csv(codings.coding_events(db, coding))
    name = f"{coding.session.name}-coding-{coding.id}-events.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
