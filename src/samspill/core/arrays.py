"""Names for the numpy array types the core computes with, for annotations.

``np.ndarray`` alone says nothing of the dtype, so arithmetic on it types as ``Any``; these
aliases let the type checker follow int64 times, boolean masks and float shares.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

Int64Array: TypeAlias = NDArray[np.int64]
FloatArray: TypeAlias = NDArray[np.float64]
BoolArray: TypeAlias = NDArray[np.bool_]
ObjectArray: TypeAlias = NDArray[np.object_]
