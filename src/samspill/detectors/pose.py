"""People and their keypoints in frames, with MoveNet MultiPose (converted to ONNX at install
time, ``registry.MOVENET_MULTIPOSE``) through onnxruntime.

The model looks at a 256 x 256 RGB frame and returns up to 6 people, each as 56 numbers: 17
keypoints (COCO order: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles) as
(y, x, score), then its box (ymin, xmin, ymax, xmax) and the person's score, all coordinates
in 0..1 of the frame. ``samspill.core.assist.proximity`` takes it from there.

A frame that differs from the last frame the model looked at by at most ``SAME_MEAN_DIFF``
grey levels on average (a still room, a paused camera) gets that frame's people again without
running the model: what changes that little is not a person moving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

PEOPLE, VALUES = 6, 56
SAME_MEAN_DIFF = 0.5


class PoseModel:
    def __init__(self, model_file: Path, threads: int = 1) -> None:
        import onnxruntime  # late: loaded only when an assist pass runs

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads
        self._session = onnxruntime.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        self.inferred = 0  # frames the model actually looked at

    def people(self, frames: np.ndarray) -> np.ndarray:
        """(n, 6, 56) float32 for n uint8 frames of shape (n, 256, 256, 3)."""
        out = np.empty((len(frames), PEOPLE, VALUES), dtype=np.float32)
        for i, frame in enumerate(frames):  # the graph takes one frame at a time
            out[i] = self._one(frame)
        return out

    def _one(self, frame: np.ndarray) -> np.ndarray:
        as_int = frame.astype(np.int32)
        if self._last is not None and np.abs(as_int - self._last[0]).mean() <= SAME_MEAN_DIFF:
            return self._last[1]
        found = np.asarray(self._session.run(None, {self._input: as_int[None]})[0][0])
        self._last = (as_int, found)
        self.inferred += 1
        return found


def people_in(model_file: Path, chunks: Iterable[np.ndarray],
              seen: Callable[[int], None] | None = None) -> np.ndarray:
    """Every frame's people, chunk by chunk; ``seen`` is told the number of frames so far."""
    model = PoseModel(model_file)
    parts, count = [], 0
    for chunk in chunks:
        parts.append(model.people(chunk))
        count += len(chunk)
        if seen is not None:
            seen(count)
    return np.concatenate(parts) if parts else np.zeros((0, PEOPLE, VALUES), np.float32)
