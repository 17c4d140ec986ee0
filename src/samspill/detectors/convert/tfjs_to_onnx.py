"""Convert a TensorFlow.js graph model to ONNX with tf2onnx: ``python tfjs_to_onnx.py
MODEL.json OUT.onnx``. Run only by ``samspill.detectors.fetch``, with the Python of a throwaway
virtual environment that holds ``requirements.lock`` beside this file (TensorFlow, tf2onnx);
nothing of Samspill is imported here.

Two repairs, both to what the TensorFlow.js converter left out, not to the model:
- attributes that TensorFlow's op definitions give a default type (``index_type`` of ``Fill``)
  and the ``TArgs`` list of ``_FusedConv2D`` are restored, since TensorFlow 2.21 refuses nodes
  without them when tf2onnx asks it for their output shapes;
- tf2onnx 1.17's TensorFlow.js reader calls ``numpy.product``, which numpy 2 removed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def restore_attributes(model: dict[str, Any]) -> dict[str, Any]:
    from tensorflow.core.framework import types_pb2
    from tensorflow.python.framework import op_def_registry

    for node in model["modelTopology"]["node"]:
        attrs = node.setdefault("attr", {})
        if node["op"] == "_FusedConv2D" and "TArgs" not in attrs:
            count = int(attrs["num_args"]["i"])
            attrs["TArgs"] = {"list": {"type": [attrs["T"]["type"]] * count}}
        op_def = op_def_registry.get(node["op"])
        for attr in op_def.attr if op_def is not None else ():
            if (attr.name not in attrs and attr.HasField("default_value")
                    and attr.default_value.WhichOneof("value") == "type"):
                attrs[attr.name] = {"type": types_pb2.DataType.Name(attr.default_value.type)}
    return model


def main(graph: Path, out: Path) -> None:
    np.product = np.prod  # type: ignore[attr-defined]
    fixed = graph.with_name(graph.stem + ".restored.json")
    fixed.write_text(json.dumps(restore_attributes(json.loads(graph.read_text()))))
    from tf2onnx import convert

    sys.argv = ["tf2onnx.convert", "--tfjs", str(fixed), "--output", str(out), "--opset", "17"]
    convert.main()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
