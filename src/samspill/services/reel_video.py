"""The reel as one MP4, made by the ffmpeg that imageio-ffmpeg ships (issue 23).

Each clip is cut from the session's video by its own ffmpeg run that seeks to the clip's start
(``-ss`` before ``-i``: only the clip is decoded) and re-encodes it (H.264, AAC) with the
caption and the dyad's pseudonymous code burned in, the freeze and the slow key second as
the plan says (:mod:`samspill.core.reel`); the clips are then joined without a further
re-encode. ffmpeg streams from file to file: a 60-minute source never sits in memory, and
neither does the reel.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from samspill.core.errors import N_, InputError
from samspill.core.reel import PlannedClip, wrap

FPS = 25
Progress = Callable[[float], None]


def ffmpeg() -> str:
    import imageio_ffmpeg  # late: only exports need ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@cache
def font_file() -> str:
    """DejaVu Sans (it has æ, ø, å) from matplotlib's own fonts, present wherever Samspill is."""
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def _quoted(path: Path | str) -> str:
    """A path inside a filter graph: ``\\``, ``:`` and ``'`` escaped."""
    return re.sub(r"([\\:'])", r"\\\1", str(path))


def has_audio(source: Path) -> bool:
    probe = subprocess.run([ffmpeg(), "-nostdin", "-hide_banner", "-i", str(source)],
                           capture_output=True, timeout=60, check=False)
    return b"Audio:" in probe.stderr


def clip_graph(planned: PlannedClip, *, caption_file: Path, label_file: Path,
               audio: bool) -> str:
    """The filter graph of one clip: its parts (normal, frozen, slow) joined, with the texts."""
    origin = planned.clip.start_ms
    parts = planned.parts
    n = len(parts)
    text = (f"fontfile='{_quoted(font_file())}':fontcolor=white:box=1:boxcolor=black@0.6:"
            "boxborderw=8")
    graph = [f"[0:v]fps={FPS},scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1,split={n}"
             + "".join(f"[s{i}]" for i in range(n))]
    if audio:
        graph.append("[0:a]aformat=sample_rates=48000:channel_layouts=stereo,asplit="
                     f"{n}" + "".join(f"[t{i}]" for i in range(n)))
    for i, part in enumerate(parts):
        a, b = (part.start_ms - origin) / 1000, (part.end_ms - origin) / 1000
        if part.freeze_ms:
            hold = part.freeze_ms / 1000
            # One frame, then that frame held: the freeze lasts ``hold`` in all.
            graph.append(f"[s{i}]trim=start={a:.3f},setpts=PTS-STARTPTS,trim=end_frame=1,"
                         f"tpad=stop_mode=clone:stop_duration={hold - 1 / FPS:.3f}[v{i}]")
            if audio:
                graph.append(f"[t{i}]atrim=start={a:.3f}:end={a + 1 / FPS:.3f},"
                             f"asetpts=PTS-STARTPTS,volume=0,apad=whole_dur={hold:.3f}[a{i}]")
            continue
        slow = f",setpts={1 / part.speed:g}*PTS" if part.speed != 1 else ""
        graph.append(f"[s{i}]trim=start={a:.3f}:end={b:.3f},setpts=PTS-STARTPTS{slow}[v{i}]")
        if audio:
            tempo = f",atempo={part.speed:g}" if part.speed != 1 else ""
            graph.append(f"[t{i}]atrim=start={a:.3f}:end={b:.3f},asetpts=PTS-STARTPTS"
                         f"{tempo}[a{i}]")
    joined = "".join(f"[v{i}]" + (f"[a{i}]" if audio else "") for i in range(n))
    graph.append(f"{joined}concat=n={n}:v=1:a={int(audio)}[cv]" + ("[ca]" if audio else ""))
    graph.append(f"[cv]drawtext=textfile='{_quoted(caption_file)}':{text}:fontsize=h/16:"
                 "line_spacing=4:x=(w-text_w)/2:y=h-text_h-h/14,"
                 f"drawtext=textfile='{_quoted(label_file)}':{text}:fontsize=h/28:x=h/40:"
                 "y=h/40[out]")
    return ";".join(graph)


def render(source: Path, clips: Sequence[PlannedClip], out: Path, *, label: str,
           progress: Progress) -> None:
    """Cut, caption and join the clips into ``out`` (an MP4); progress from 0 to 1."""
    audio = has_audio(source)
    total = sum(c.length_ms for c in clips) or 1
    with tempfile.TemporaryDirectory(prefix="samspill-reel-") as tmp:
        folder = Path(tmp)
        (folder / "label.txt").write_text(label, encoding="utf-8")
        done = 0
        pieces = []
        for i, planned in enumerate(clips):
            caption = folder / f"caption-{i}.txt"
            caption.write_text(wrap(planned.clip.caption) or " ", encoding="utf-8")
            piece = folder / f"clip-{i:03d}.mp4"
            _clip(source, planned, piece, caption, folder / "label.txt", audio,
                  _scaled(progress, done, total))
            pieces.append(piece)
            done += planned.length_ms
        listing = folder / "clips.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in pieces), encoding="utf-8")
        _run([ffmpeg(), "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0",
              "-i", str(listing), "-c", "copy", "-movflags", "+faststart", str(out)])
    progress(1.0)


def _scaled(progress: Progress, base: int, total: int) -> Callable[[int], None]:
    """A clip's progress (ms of it written) as the reel's fraction."""
    def report(ms: int) -> None:
        progress(0.97 * (base + ms) / total)
    return report


def _clip(source: Path, planned: PlannedClip, out: Path, caption: Path, label: Path,
          audio: bool, progress: Callable[[int], None]) -> None:
    clip = planned.clip
    graph = clip_graph(planned, caption_file=caption, label_file=label, audio=audio)
    command = [ffmpeg(), "-nostdin", "-v", "error", "-y",
               "-ss", f"{clip.start_ms / 1000:.3f}",
               "-t", f"{(clip.end_ms - clip.start_ms) / 1000:.3f}",
               "-i", str(source), "-filter_complex", graph, "-map", "[out]",
               *(["-map", "[ca]", "-c:a", "aac", "-b:a", "128k"] if audio else []),
               "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
               "-r", str(FPS), "-progress", "pipe:1", "-nostats", str(out)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("out_time_us="):
                value = line.split("=", 1)[1].strip()
                if value.isdigit():
                    progress(min(int(value) // 1000, planned.length_ms))
        errors = process.stderr.read() if process.stderr else ""
        if process.wait() != 0:
            raise _failed(errors)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise _failed(done.stderr)


def _failed(errors: str) -> InputError:
    last = errors.strip().splitlines()[-1:] if errors.strip() else []
    return InputError(N_("ffmpeg could not make the reel"),
                      fix=N_("check that the session's video plays; if it does, report this"),
                      where=last[0][:300] if last else "")
