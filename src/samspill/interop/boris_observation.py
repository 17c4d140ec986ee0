"""The parts of a BORIS project around the events: media files with offsets, variables.

BORIS keeps an observation's media as ``file: {"1": [paths], "2": [...]}`` (players 1-8, files of
one player played in sequence) and their facts in ``media_info``: ``length`` and ``fps`` per
path, ``hasVideo``/``hasAudio`` per path, ``offset`` in seconds per player. Paths are kept as
written: a path that no longer exists on this machine is no error, the media are not opened.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from samspill.core.errors import N_, InputError
from samspill.interop.model import IndependentVariable, MediaFile
from samspill.interop.safety import ms_to_seconds, seconds_to_ms

VariableType = Literal["numeric", "text", "set", "timestamp"]
_TYPES_IN: dict[str, VariableType] = {"numeric": "numeric", "text": "text",
                                      "value from set": "set", "timestamp": "timestamp"}
_TYPES_OUT = {v: k for k, v in _TYPES_IN.items()}


def read_media(obs: dict[str, Any], here: str) -> list[MediaFile]:
    """The observation's media files, player by player."""
    files = obs.get("file") or {}
    if isinstance(files, list):  # project format 0: [player 1 file, player 2 file]
        files = {str(i + 1): [f] for i, f in enumerate(files[:2])}
    info = obs.get("media_info") or {}
    if not isinstance(files, dict) or not isinstance(info, dict):
        raise InputError(
            N_("'file' or 'media_info' is malformed"),
            fix=N_("repair the observation's media in BORIS"),
            where=here,
        )
    out: list[MediaFile] = []
    for player, paths in files.items():
        if not str(player).isdigit() or not 1 <= int(player) <= 8 or not isinstance(paths, list):
            raise InputError(
                N_("media player {player} is malformed"),
                fix=N_("use players 1 to 8"),
                where=here,
                params={"player": repr(player)},
            )
        for path in paths:
            if not isinstance(path, str) or not path:
                raise InputError(
                    N_("a media path is not text"),
                    fix=N_("repair the media list"),
                    where=here,
                )
            out.append(_media_file(path, int(player), info, here))
    return out


def _media_file(path: str, player: int, info: dict[str, Any], here: str) -> MediaFile:
    offsets = _mapping(info, "offset", here)
    lengths = _mapping(info, "length", here)
    fps = _mapping(info, "fps", here)
    where = f"{here}, media '{path}'"
    length = lengths.get(path)
    rate = fps.get(path)
    return MediaFile(
        path=path, player=player,
        offset_ms=seconds_to_ms(offsets.get(str(player)) or 0, where, allow_negative=True),
        duration_ms=None if length in (None, "", 0) else seconds_to_ms(length, where),
        fps=float(rate) if isinstance(rate, int | float | Decimal) and 0 < rate < 10_000 else None,
        has_video=_flag(_mapping(info, "hasVideo", here).get(path)),
        has_audio=_flag(_mapping(info, "hasAudio", here).get(path)))


def _mapping(info: dict[str, Any], name: str, here: str) -> dict[str, Any]:
    value = info.get(name) or {}
    if not isinstance(value, dict):
        raise InputError(
            N_("media_info '{name}' is not a mapping"),
            fix=N_("repair the media info"),
            where=here,
            params={"name": str(name)},
        )
    return value


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def media_conf(media: list[MediaFile]) -> dict[str, Any]:
    """``media_info`` for an observation's media files."""
    players = sorted({m.player for m in media} | {1})
    offsets = {str(p): next((ms_to_seconds(m.offset_ms) for m in media if m.player == p), 0.0)
               for p in players}
    return {
        "length": {m.path: ms_to_seconds(m.duration_ms)
                   for m in media if m.duration_ms is not None},
        "fps": {m.path: m.fps for m in media if m.fps is not None},
        "hasVideo": {m.path: m.has_video for m in media if m.has_video is not None},
        "hasAudio": {m.path: m.has_audio for m in media if m.has_audio is not None},
        "offset": offsets,
    }


def read_variables(conf: object, source: str) -> list[IndependentVariable]:
    """The project's independent variables (label, type, default, possible values)."""
    if conf in (None, "", {}):
        return []
    if not isinstance(conf, dict):
        raise InputError(
            N_("'independent_variables' is not a mapping"),
            fix=N_("repair the independent variables in BORIS"),
            where=source,
        )
    out: list[IndependentVariable] = []
    for idx, entry in conf.items():
        here = f"{source}: independent variable #{idx}"
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) or not (
                entry["label"].strip()):
            raise InputError(
                N_("an independent variable has no label"),
                fix=N_("label it in BORIS"),
                where=here,
            )
        options = str(entry.get("possible values") or "")
        out.append(IndependentVariable(
            label=entry["label"], description=str(entry.get("description") or ""),
            type=_TYPES_IN.get(str(entry.get("type", "text")), "text"),
            default=str(entry.get("default value") or ""),
            options=[o for o in options.split(",") if o]))
    return out


def variables_conf(variables: list[IndependentVariable]) -> dict[str, Any]:
    """``independent_variables`` for the project's variables."""
    return {str(i): {"label": v.label, "description": v.description,
                     "type": _TYPES_OUT[v.type], "default value": v.default,
                     "possible values": ",".join(v.options)}
            for i, v in enumerate(variables)}
