"""Voice activity with silero-vad's ONNX file through onnxruntime (no torch): a probability per
512-sample window (32 ms at 16 kHz). The model is recurrent: its state and the last 64 samples
of context carry from one window to the next, across chunks, as silero's own wrapper does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

WINDOW = 512
CONTEXT = 64
RATE = 16_000
WINDOW_MS = WINDOW * 1000 / RATE


class SileroVad:
    def __init__(self, model_file: Path) -> None:
        import onnxruntime  # late: loaded only when an assist pass runs

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"])
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT), dtype=np.float32)
        self._rate = np.array(RATE, dtype=np.int64)
        self._carry = np.zeros(0, dtype=np.float32)

    def probabilities(self, chunk: np.ndarray) -> np.ndarray:
        """Probabilities of the whole windows now available (the remainder waits for more)."""
        data = np.concatenate([self._carry, np.asarray(chunk, dtype=np.float32) / 32768.0])
        whole = len(data) // WINDOW * WINDOW
        self._carry = data[whole:]
        out = np.empty(whole // WINDOW, dtype=np.float32)
        for i in range(len(out)):
            window = data[i * WINDOW:(i + 1) * WINDOW][None, :]
            joined = np.concatenate([self._context, window], axis=1)
            prob, self._state = self._session.run(
                None, {"input": joined, "state": self._state, "sr": self._rate})
            self._context = joined[:, -CONTEXT:]
            out[i] = prob[0, 0]
        return out

    def finish(self) -> np.ndarray:
        """The last, zero-padded window, if any samples are left."""
        if not len(self._carry):
            return np.zeros(0, dtype=np.float32)
        pad = np.zeros(WINDOW - len(self._carry), dtype=np.float32)
        self._carry = np.concatenate([self._carry, pad])
        return self.probabilities(np.zeros(0, dtype=np.int16))


def speech_probabilities(model_file: Path, chunks: Iterable[np.ndarray]) -> np.ndarray:
    vad = SileroVad(model_file)
    parts = [vad.probabilities(chunk) for chunk in chunks]
    parts.append(vad.finish())
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
