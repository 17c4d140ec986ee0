"""Tiny test clips for several cameras (issue 14), made at test time with imageio-ffmpeg's
ffmpeg: a grey picture at a chosen frame rate, and room noise with one clap at a chosen time (or
no audio at all). Two clips whose claps are ``lag`` apart film the same instant ``lag`` apart."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

RATE = 16_000


def clap_track(seconds: float, clap_at_s: float, *, seed: int, rate: int = RATE) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = rng.normal(0.0, 200.0, int(rate * seconds))
    start, length = int(clap_at_s * rate), int(0.03 * rate)
    burst = rng.normal(0.0, 1.0, length) * np.exp(-np.arange(length) / (0.006 * rate))
    out[start : start + length] += 12_000 * burst
    return np.clip(out, -32768, 32767).astype(np.int16)


def make_clip(out: Path, *, seconds: float, fps: int, clap_at_s: float | None, seed: int = 1,
              colour: str = "gray") -> Path:
    """A WebM (VP8, Opus) of ``seconds`` at ``fps``; ``clap_at_s`` None: no audio stream."""
    video = ["-f", "lavfi", "-i", f"color=c={colour}:s=64x48:r={fps}:d={seconds}"]
    sound: list[str] = []
    if clap_at_s is not None:
        wav = out.with_suffix(".wav")
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes(clap_track(seconds, clap_at_s, seed=seed).tobytes())
        sound = ["-i", str(wav), "-map", "0:v", "-map", "1:a", "-c:a", "libopus"]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *video, *sound,
                    "-c:v", "libvpx", "-threads", "1",  # VP8's threads spin (demo_video.py)
                    "-g", str(fps), "-t", str(seconds), str(out)],
                   check=True, timeout=120)
    return out
