"""Checks the container image tests/deploy/image-build.sh built from the Dockerfile: its size,
user, entrypoint, health check, OCI labels and files (static binary, CA bundle, /tmp, the state
directory owned by the runtime user), then runs the binary from the image's own filesystem:
`--version`, `check-config` on every config the Helm chart renders, and `serve` with /healthz
answered (and the image's HEALTHCHECK command passing) while Nextcloud and its OIDC app are
unreachable.

    python tests/deploy/image_checks.py OUT_DIR     (OUT_DIR/image.tar from image-build.sh)

Prints TAP; tests/deploy/run.sh counts the lines."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_checks as cc  # noqa: E402
from tap import CHART, ROOT, check, finish, ok  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench.elf import sections  # noqa: E402

SIZE_LIMIT = 30_000_000  # bytes, uncompressed: the goal is an image under 30 MB
_SECURITY = yaml.safe_load((CHART / "values.yaml").read_text())["deployment"]["securityContext"]
# The image's user must be the one the chart runs it as (and that owns the state directory).
RUNTIME_USER = f"{_SECURITY['runAsUser']}:{_SECURITY['runAsGroup']}"
CONFIG_PATH = "/etc/nextcloud-mcp/nextcloud-mcp.yaml"
CARGO_VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
APP_VERSION = yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
CHART_IMAGE_REPOSITORY = yaml.safe_load((CHART / "values.yaml").read_text())["image"]["repository"]


class Image:
    """A docker-archive (podman save) opened: config, layers, and the filesystem unpacked."""

    def __init__(self, archive: Path, workdir: Path):
        self.dir = workdir / "archive"
        self.root = workdir / "rootfs"
        self.dir.mkdir()
        self.root.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(self.dir, filter="fully_trusted")
        (manifest,) = json.loads((self.dir / "manifest.json").read_text())
        self.tags = manifest.get("RepoTags") or []
        self.config = json.loads((self.dir / manifest["Config"]).read_text())
        self.layers = [self.dir / layer for layer in manifest["Layers"]]
        self.members: dict[str, tarfile.TarInfo] = {}
        for layer in self.layers:
            with tarfile.open(layer) as tar:
                for member in tar.getmembers():
                    name = member.name.removeprefix("./").rstrip("/")
                    assert ".wh." not in name, f"unexpected whiteout {name}"
                    self.members[name] = member
                # Unpacked as they are (owner and mode kept when run as root).
                tar.extractall(self.root, filter="fully_trusted")

    @property
    def size(self) -> int:
        """Uncompressed size: the sum of the layers' file contents."""
        return sum(m.size for m in self.members.values() if m.isfile())

    def compressed_size(self) -> int:
        return sum(len(gzip.compress(layer.read_bytes(), compresslevel=6)) for layer in self.layers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def is_static(binary: Path) -> bool:
    """An ELF file without a PT_INTERP program header needs no dynamic loader."""
    data = binary.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2, "not a 64-bit ELF file"
    phoff = int.from_bytes(data[0x20:0x28], "little")
    phentsize = int.from_bytes(data[0x36:0x38], "little")
    phnum = int.from_bytes(data[0x38:0x3A], "little")
    types = [int.from_bytes(data[phoff + i * phentsize: phoff + i * phentsize + 4], "little") for i in range(phnum)]
    return 3 not in types  # PT_INTERP


STARTUP_ORDER = ROOT / "link" / "startup-order-musl.ld"
# A script made for other symbol names (a dependency or rustc changed) gathers well under half.
STARTUP_SHARE = 0.8


def startup_order_current(binary: Path) -> None:
    """The image's binary gathers the code an idle server runs (decision 0006, "Code order"):
    its `.text.startup` holds most of what link/startup-order-musl.ld expected."""
    m = re.search(r"Expected size of \.text\.startup: (\d+) bytes", STARTUP_ORDER.read_text())
    assert m, f"{STARTUP_ORDER} names no expected size: regenerate it with bench/startup_order.py"
    expected = int(m.group(1))
    actual = next((size for name, _, size in sections(binary) if name == ".text.startup"), 0)
    assert actual >= STARTUP_SHARE * expected, (
        f".text.startup is {actual:,} bytes, {actual / expected:.0%} of the {expected:,} the script expects: its "
        "names are stale (a dependency, rustc or start-up code changed), and so is the profile in pgo/ (decision "
        "0011). Regenerate both: python3 bench/pgo.py --target x86_64-unknown-linux-musl --profile image; "
        "RUSTFLAGS=-Cprofile-use=$PWD/pgo/x86_64-unknown-linux-musl.profdata "
        "cargo build --profile image --locked --target x86_64-unknown-linux-musl; "
        "python3 bench/startup_order.py --out link/startup-order-musl.ld --binary "
        "target/x86_64-unknown-linux-musl/image/nextcloud-mcp; rebuild (and the glibc ones likewise: "
        "python3 bench/pgo.py, then bench/startup_order.py)")


def rendered_configs() -> list[tuple[str, str, dict[str, str]]]:
    """(scenario, config text, secret files) for every chart scenario in charts/nextcloud-mcp/ci."""
    out = []
    for file_name in cc.SCENARIOS:
        values = cc.load_values(CHART / "ci" / file_name)
        docs = cc.manifests_of(cc.render(values))
        text = cc.one(docs, "ConfigMap", cc.FULLNAME)["data"][cc.CONFIG_KEY]
        out.append((file_name.removesuffix("-values.yaml"), text, cc.secret_files(docs, values)))
    return out


def serve_and_probe(image: Image, label: str, config_text: str, files: dict[str, str], workdir: Path) -> None:
    """Starts `serve` from the image with a chart-rendered config whose Nextcloud (and OIDC
    provider) is a closed port: /healthz must answer 200, /readyz 503 with the reason, and the
    image's HEALTHCHECK command must pass."""
    binary = image.root / "nextcloud-mcp"
    port, dead = free_port(), free_port()
    config = yaml.safe_load(config_text.replace(cc.SECRET_MOUNT, str(workdir / "secrets")))
    config["server"]["listen"] = f"127.0.0.1:{port}"
    config["nextcloud"]["url"] = f"http://127.0.0.1:{dead}"
    config["nextcloud"].pop("public_url", None)
    # The image's CA bundle, read by the image's binary.
    config["nextcloud"]["ca_bundle"] = str(image.root / "etc/ssl/certs/ca-certificates.crt")
    reg = config.get("auth", {}).get("oauth", {}).get("client", {}).get("registration")
    if reg:
        reg["storage_path"] = str(workdir / "oauth-client.json")
    (workdir / "secrets").mkdir(exist_ok=True)
    for name, content in files.items():
        (workdir / "secrets" / name).write_text(content)
    config_file = workdir / f"{label}.yaml"
    config_file.write_text(yaml.safe_dump(config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
    log = open(workdir / f"{label}.log", "w+")
    proc = subprocess.Popen([str(binary), "serve", "--config", str(config_file)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = http_get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        log.seek(0)
        assert status == 200, f"/healthz did not answer 200 within 30 s (exit {proc.poll()}):\n{log.read()[-3000:]}"
        ready, body = http_get(f"http://127.0.0.1:{port}/readyz")
        assert ready == 503 and "unreachable" in body, f"/readyz with Nextcloud down: {ready} {body}"
        health = image.config["config"]["Healthcheck"]["Test"]
        assert health[0] == "CMD", health
        cmd = [str(image.root / health[1].lstrip("/")), *health[2:], "--config", str(config_file)]
        hc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
        assert hc.returncode == 0, f"the image's HEALTHCHECK ({' '.join(health[1:])}) failed: {hc.stdout}{hc.stderr}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("serve did not stop within 30 s of SIGTERM")
        log.close()


def main() -> int:
    out = Path(sys.argv[1])
    env = dict(line.split("=", 1) for line in (out / "image.env").read_text().split())
    workdir = Path(tempfile.mkdtemp(prefix="nextcloud-mcp-image-"))
    try:
        image = Image(out / "image.tar", workdir)
    except Exception as exc:  # noqa: BLE001
        ok("the image archive unpacks", False, str(exc))
        return finish()
    cfg = image.config["config"]
    labels = cfg.get("Labels") or {}
    binary = image.root / "nextcloud-mcp"

    size, packed = image.size, image.compressed_size()
    print(f"# image {env['IMAGE']}: {size / 1e6:.1f} MB uncompressed, {packed / 1e6:.1f} MB compressed (gzip), "
          f"static build {env['BUILD_SECONDS']} s")
    ok(f"image size {size / 1e6:.1f} MB is under {SIZE_LIMIT / 1e6:.0f} MB", size < SIZE_LIMIT)
    default_image = f"{CHART_IMAGE_REPOSITORY}:{APP_VERSION}"
    check(f"the image is {default_image}: the chart's default image.repository and appVersion, and Cargo.toml's version",
          lambda: cc._assert(env["IMAGE"] == f"localhost/{default_image}" and CARGO_VERSION == APP_VERSION,
                             f"{env['IMAGE']}, Cargo {CARGO_VERSION}, appVersion {APP_VERSION}"))
    check(f"runs as the non-root user {RUNTIME_USER} (the chart's runAsUser:runAsGroup)",
          lambda: cc._assert(cfg.get("User") == RUNTIME_USER and not RUNTIME_USER.startswith("0:"), cfg.get("User")))
    check("entrypoint /nextcloud-mcp, default command serves the mounted config",
          lambda: cc._assert(cfg.get("Entrypoint") == ["/nextcloud-mcp"]
                             and cfg.get("Cmd") == ["serve", "--config", CONFIG_PATH], (cfg.get("Entrypoint"), cfg.get("Cmd"))))
    check("exposes 8000/tcp and declares the state volume",
          lambda: cc._assert("8000/tcp" in (cfg.get("ExposedPorts") or {})
                             and "/var/lib/nextcloud-mcp" in (cfg.get("Volumes") or {}), cfg))
    check("HEALTHCHECK runs the binary's own healthcheck (no shell in the image)",
          lambda: cc._assert((cfg.get("Healthcheck") or {}).get("Test") == ["CMD", "/nextcloud-mcp", "healthcheck"], cfg.get("Healthcheck")))

    def oci_labels():
        want = {"org.opencontainers.image.title": "nextcloud-mcp",
                "org.opencontainers.image.version": CARGO_VERSION,
                "org.opencontainers.image.revision": env["REVISION"],
                "org.opencontainers.image.licenses": "AGPL-3.0-or-later"}
        wrong = {k: labels.get(k) for k, v in want.items() if labels.get(k) != v}
        assert not wrong, f"wrong labels {wrong}; all: {labels}"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", labels.get("org.opencontainers.image.created", "")), labels
        for key in ("org.opencontainers.image.description", "org.opencontainers.image.source"):
            assert labels.get(key), f"{key} is empty"

    check("OCI labels: title, description, version, revision, created, licenses, source", oci_labels)

    def files():
        want = {"nextcloud-mcp", "etc", "etc/ssl", "etc/ssl/certs", "etc/ssl/certs/ca-certificates.crt",
                "tmp", "var", "var/lib", "var/lib/nextcloud-mcp"}
        assert set(image.members) == want, f"unexpected files: {sorted(set(image.members) ^ want)}"
        m = image.members
        assert m["nextcloud-mcp"].mode & 0o777 == 0o755 and m["nextcloud-mcp"].uid == 0, "binary: 0755 root"
        assert m["tmp"].mode & 0o7777 == 0o1777, f"/tmp mode {oct(m['tmp'].mode)}"
        state = m["var/lib/nextcloud-mcp"]
        owner = tuple(int(x) for x in RUNTIME_USER.split(":"))
        assert (state.uid, state.gid, state.mode & 0o777) == (*owner, 0o700), \
            f"/var/lib/nextcloud-mcp: {state.uid}:{state.gid} {oct(state.mode)}"

    check("files: the binary, the CA bundle, /tmp (1777), /var/lib/nextcloud-mcp (65532, 0700), nothing else", files)

    def ca_bundle():
        text = (image.root / "etc/ssl/certs/ca-certificates.crt").read_text()
        count = text.count("-----BEGIN CERTIFICATE-----")
        assert count > 100, f"only {count} certificates in /etc/ssl/certs/ca-certificates.crt"

    check("CA certificates present (/etc/ssl/certs/ca-certificates.crt, > 100 certificates)", ca_bundle)
    check("the binary is statically linked (no program interpreter)", lambda: cc._assert(is_static(binary)))
    check("the binary's code order is current (.text.startup holds what link/startup-order-musl.ld names)",
          lambda: startup_order_current(binary))

    def version():
        proc = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0 and proc.stdout.strip() == f"nextcloud-mcp {CARGO_VERSION}", proc.stdout + proc.stderr

    check(f"the image's binary: --version prints nextcloud-mcp {CARGO_VERSION}", version)

    configs = rendered_configs()
    for label, text, secret_files in configs:
        def check_config(text=text, secret_files=secret_files):
            with tempfile.TemporaryDirectory() as tmp:
                proc = cc.run_check_config(text, secret_files, Path(tmp), binary=binary)
            assert proc.returncode == 0, proc.stdout + proc.stderr

        check(f"the image's binary: check-config accepts the chart's {label} config", check_config)

    by_label = {label: (text, files) for label, text, files in configs}

    def serve(label: str) -> None:
        text, secret_files = by_label[label]
        (workdir / label).mkdir()
        serve_and_probe(image, label, text, secret_files, workdir / label)

    for label, why in [("basic", "basic mode"), ("sidecar", "sidecar mode, OAuth")]:
        check(f"the image's binary: serve with the chart's {label} config ({why}), Nextcloud down: "
              "/healthz 200, /readyz 503, HEALTHCHECK passes", lambda label=label: serve(label))
    shutil.rmtree(workdir, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
