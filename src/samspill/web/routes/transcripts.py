"""A coding's transcript (issue 12): read, save (a stale save is refused), import a text file,
export as plain text, Word or PDF.

Who may read or write it is who may read or write the coding (``Permission("coding.*")`` runs
the blind rule): a trainee reads a tape's master transcript only after submitting their own
coding of the tape, and a submitted coding's transcript is locked with it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import Response

from samspill.core.errors import N_, InputError
from samspill.core.transcript import format_time
from samspill.reports.transcript_report import TranscriptHeader, transcript_docx, transcript_pdf
from samspill.services import transcripts
from samspill.store.models import Coding
from samspill.web import i18n
from samspill.web.deps import DbSession, ReadCoding, WriteCoding
from samspill.web.refusals import said
from samspill.web.transcript_schemas import TranscriptIn

router = APIRouter(tags=["transcripts"])
Lang = Annotated[Literal["en", "nb"] | None, Query()]
MAX_UPLOAD = 2_000_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def state_json(state: transcripts.TranscriptState) -> dict[str, Any]:
    """The pane's data: the text, its version, the entries by time with their links, and the
    first reading problem (said in the reader's language) or null."""
    return {
        "coding_id": state.coding_id,
        "text": state.text,
        "version": state.version,
        "updated_at": state.updated_at.isoformat() if state.updated_at else None,
        "updated_by": state.updated_by,
        "problem": said(state.problem) if state.problem else None,
        "entries": [{
            "time_ms": linked.entry.time_ms,
            "time": format_time(linked.entry.time_ms),
            "text": linked.entry.text,
            "line": linked.entry.line,
            "links": [{"code": link.code, "start": link.start, "end": link.end,
                       "at_ms": link.at_ms, "event_id": link.event_id,
                       "event_ms": link.event_ms} for link in linked.links],
        } for linked in state.entries],
    }


@router.get("/api/codings/{coding_id}/transcript")
def get_transcript(access: ReadCoding, db: DbSession) -> dict[str, Any]:
    return state_json(transcripts.state_of(db, access.the_coding))


@router.put("/api/codings/{coding_id}/transcript")
def put_transcript(body: TranscriptIn, access: WriteCoding, db: DbSession) -> dict[str, Any]:
    """Save the text as typed; 409 ``stale`` (with the stored text) when it changed since
    ``version``; 409 when the coding is submitted (locked)."""
    coding = access.the_coding
    transcripts.save(db, coding=coding, text=body.text, base_version=body.version,
                     by=access.user)
    return state_json(transcripts.state_of(db, coding))


@router.post("/api/codings/{coding_id}/transcript/import")
async def import_transcript(
    access: WriteCoding, db: DbSession, file: UploadFile,
    version: Annotated[int, Form(ge=0)] = 0,
) -> dict[str, Any]:
    """Replace the transcript with a text file's entries (UTF-8; a bad line is named)."""
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise InputError(N_("the file is larger than {most} MB"), fix=N_("split the transcript"),
                         params={"most": MAX_UPLOAD // 1_000_000})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(N_("the file is not UTF-8 text"),
                         fix=N_("save it as plain text (UTF-8) and upload it again")) from None
    coding = access.the_coding
    transcripts.import_text(db, coding=coding, text=text, base_version=version, by=access.user)
    return state_json(transcripts.state_of(db, coding))


def _download(body: bytes | str, *, coding: Coding, suffix: str, media_type: str) -> Response:
    name = f"{coding.session.name}-coding-{coding.id}-transcript.{suffix}"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _header(coding: Coding) -> TranscriptHeader:
    return TranscriptHeader(coding.session.study.name, coding.session.name, coding.id,
                            coding.coder.username)


@router.get("/api/codings/{coding_id}/transcript.txt")
def transcript_txt(access: ReadCoding, db: DbSession) -> Response:
    coding = access.the_coding
    return _download(transcripts.plain_text(db, coding), coding=coding, suffix="txt",
                     media_type="text/plain; charset=utf-8")


@router.get("/api/codings/{coding_id}/transcript.docx")
def transcript_word(access: ReadCoding, db: DbSession, lang: Lang = None) -> Response:
    coding = access.the_coding
    entries = [(e.entry, e.links) for e in transcripts.readable_entries(db, coding)]
    body = transcript_docx(_header(coding), entries, language=lang or i18n.current_language.get())
    return _download(body, coding=coding, suffix="docx", media_type=DOCX)


@router.get("/api/codings/{coding_id}/transcript.pdf")
def transcript_pdf_file(access: ReadCoding, db: DbSession, lang: Lang = None) -> Response:
    coding = access.the_coding
    entries = [(e.entry, e.links) for e in transcripts.readable_entries(db, coding)]
    body = transcript_pdf(_header(coding), entries, language=lang or i18n.current_language.get())
    return _download(body, coding=coding, suffix="pdf", media_type="application/pdf")
