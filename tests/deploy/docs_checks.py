"""Checks that every command and snippet in the deployment docs is one CI runs or checks.

- YAML blocks carry a marker comment saying what they are, and are checked as such:
  `<!-- check: helm-values [file=NAME] -->` (rendered with the chart, every manifest validated),
  `<!-- check: config [file=NAME] -->` (validated against the chart's config schema and, when
  the binary is built, by `nextcloud-mcp check-config`),
  `<!-- check: nextcloud-chart-values file=NAME sidecar=VALUES -->` (the nextcloud/helm sidecar
  snippet: must equal what NOTES.txt prints for those values, and be valid Kubernetes),
  `<!-- check: systemd file=NAME -->` for the unit file.
- Every line of a sh block is a command that must be of a known kind, each checked: the
  setup script runs with --dry-run, helm commands are rendered with their values files,
  occ commands must be ones the setup script issues, kubectl/docker commands must name the
  chart's resources and files, and so on. An unknown command fails.
- docs/configuration.md names every key of config/nextcloud-mcp.example.yaml.
- Relative links and their anchors resolve.

Prints TAP; tests/deploy/run.sh counts the lines."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import helm_python as helm
import jsonschema
import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_checks as cc  # noqa: E402
from tap import CHART, ROOT, check, finish, ok  # noqa: E402

helm.disable_logging()

DOCS = ["deployment.md", "nextcloud-setup.md", "configuration.md", "troubleshooting.md"]
SCRIPT = ROOT / "scripts" / "nextcloud-setup.sh"
KNOWN_ENV = {"NEXTCLOUD_MCP_CONFIG", "NEXTCLOUD_HOST", "NEXTCLOUD_USERNAME", "NEXTCLOUD_PASSWORD",
             "NEXTCLOUD_MCP_LISTEN", "NEXTCLOUD_MCP_LOG_LEVEL"}
SUBCOMMANDS = {"serve", "check-config", "stdio", "healthcheck"}
HTTP_PATHS = {"/healthz", "/readyz", "/mcp", "/.well-known/oauth-protected-resource",
              "/.well-known/openid-configuration", "/index.php/.well-known/openid-configuration"}
MUSL = "x86_64-unknown-linux-musl"
CHART_META = yaml.safe_load((CHART / "Chart.yaml").read_text())
APP_VERSION = CHART_META["appVersion"]
# What `docker build -t` in the docs must name: the chart's default image.
IMAGE = f"{yaml.safe_load((CHART / 'values.yaml').read_text())['image']['repository']}:{APP_VERSION}"
PACKAGE = f"{CHART_META['name']}-{CHART_META['version']}.tgz"


@dataclass
class Block:
    doc: str
    line: int
    lang: str
    text: str
    kind: str = ""
    attrs: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"docs/{self.doc}:{self.line}"


def parse_blocks(doc: str) -> list[Block]:
    lines = (ROOT / "docs" / doc).read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = len(m.group(1)), m.group(2), i
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1
        block = Block(doc, start + 1, lang, "\n".join(body) + "\n")
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        marker = re.match(r"^\s*<!-- check: (\S+)(.*?)-->\s*$", lines[j]) if j >= 0 else None
        if marker:
            block.kind = marker.group(1)
            block.attrs = dict(re.findall(r"(\w+)=(\S+)", marker.group(2)))
        blocks.append(block)
    return blocks


def commands(block: Block) -> list[tuple[int, str]]:
    out, pending, first = [], "", 0
    for n, raw in enumerate(block.text.splitlines()):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            first = n
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((block.line + 1 + first, pending + line))
        pending = ""
    return out


# ---- knowledge gathered from the repository ----------------------------------------------


def occ_known() -> set[str]:
    """The occ argument lists the setup script issues, with numbers replaced by N."""
    runs = [["apply", "--dynamic-registration", "--client-expire-time", "86400", "--install-apps"],
            ["verify", "--dynamic-registration", "--client-expire-time", "86400"],
            ["create-client"]]
    known = {"oidc:list", "app:list"}
    for args in runs:
        proc = subprocess.run(["bash", str(SCRIPT), *args, "--occ", "/x/occ", "--occ-user", "www-data", "--dry-run"],
                              capture_output=True, text=True, check=True)
        for line in proc.stdout.splitlines():
            m = re.match(r"^sudo -u www-data php /x/occ (.*)$", line)
            if m:
                known.add(normalize_occ(shlex.split(m.group(1))))
    return known


def normalize_occ(args: list[str]) -> str:
    text = " ".join(args)
    text = re.sub(r"--value=\d+", "--value=N", text)
    text = re.sub(r"oidc:create .*? (https?://\S+ )+--type", "oidc:create NAME URI --type", text)
    return text


def chart_names(values: dict) -> dict[str, str]:
    docs = cc.manifests_of(cc.render(values))
    names = {}
    for d in docs:
        kind = {"Deployment": "deploy", "Service": "svc", "Job": "job"}.get(d["kind"])
        if kind:
            names[f"{kind}/{d['metadata']['name']}"] = d["kind"]
    return names


class Context:
    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self.files: dict[str, Block] = {b.attrs["file"]: b for b in blocks if "file" in b.attrs}
        self.occ = occ_known()
        self.names = chart_names({"occSetup": {"enabled": True}})
        self.usable, self.why = cc.binary_status()
        self.secret_keys = {"client-secret", "app-password", "mcp-token"}
        self.systemd_user = ""
        for b in blocks:
            if b.kind == "systemd":
                parser = configparser.ConfigParser(strict=False, interpolation=None)
                parser.optionxform = str
                parser.read_string(b.text)
                self.systemd_user = parser["Service"]["User"]
        self.pushed_images: set[str] = set()  # repositories the docs push the image to
        self.tagged_images: set[str] = set()
        self.oci_charts: set[str] = set()  # oci:// folders the docs push the chart to
        self.docker_volumes_used: set[str] = set()
        self.docker_volumes_created: set[str] = set()
        self.config_env: dict[str, dict[str, str]] = {}


# ---- blocks ---------------------------------------------------------------------------------


def config_schema() -> dict:
    schema = json.loads((CHART / "values.schema.json").read_text())
    return schema["properties"]["config"]


def check_helm_values(block: Block, ctx: Context) -> None:
    values = yaml.safe_load(block.text)
    render_values(values, block.where)


def render_values(values: dict, where: str) -> None:
    with helm.Chart.load(str(CHART)) as chart:
        chart.validate_schema(values)
    docs = cc.manifests_of(cc.render(values))
    assert docs, f"{where}: rendered nothing"
    cc.assert_kubernetes_valid(docs)
    cc.assert_common(docs)


def check_config_block(block: Block, ctx: Context) -> None:
    config = yaml.safe_load(block.text)
    jsonschema.validate(config, config_schema())
    if not ctx.usable:
        return
    files = {name: "made-up-secret-0123456789abcdef" for name in re.findall(re.escape(cc.SECRET_MOUNT) + r"/([-._a-zA-Z0-9]+)", block.text)}
    env = ctx.config_env.get(block.attrs.get("file", ""), {})
    with tempfile.TemporaryDirectory() as tmp:
        proc = run_check_config_env(block.text, files, Path(tmp), env)
    assert proc.returncode == 0, f"check-config rejected it:\n{proc.stdout}{proc.stderr}"


def run_check_config_env(text: str, files: dict, workdir: Path, env: dict) -> subprocess.CompletedProcess:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        proc = cc.run_check_config(text, files, workdir)
        if env:  # run_check_config drops NEXTCLOUD_*; run again with the command's environment
            config_path = workdir / cc.CONFIG_KEY
            full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEXTCLOUD_")}
            full_env.update(env)
            proc = subprocess.run([str(cc.binary_path()), "check-config", "--config", str(config_path)],
                                  capture_output=True, text=True, timeout=60, env=full_env)
        return proc
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def notes_snippet(values: dict) -> dict:
    return cc.sidecar_snippet(cc.render(values)["nextcloud-mcp/templates/NOTES.txt"])


def check_nextcloud_chart_values(block: Block, ctx: Context) -> None:
    snippet = yaml.safe_load(block.text)
    sidecar_values = yaml.safe_load(ctx.files[block.attrs["sidecar"]].text)
    expected = notes_snippet(sidecar_values)
    assert snippet == expected, f"differs from what NOTES.txt prints for {block.attrs['sidecar']}:\n{yaml.safe_dump(expected)}"
    nc = snippet["nextcloud"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nextcloud"},
           "spec": {"containers": nc["extraSidecarContainers"], "volumes": nc["extraVolumes"]}}
    kubernetes_validate.validate(pod, cc.KUBE_VERSION, strict=True)
    volumes = {v["name"] for v in nc["extraVolumes"]}
    for container in nc["extraSidecarContainers"]:
        for mount in container["volumeMounts"]:
            assert mount["name"] in volumes, f"volumeMount {mount['name']} has no volume"


def check_systemd(block: Block, ctx: Context) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(block.text)
    exec_start = shlex.split(parser["Service"]["ExecStart"])
    assert exec_start[0] == "/usr/local/bin/nextcloud-mcp" and exec_start[1] == "serve", exec_start
    assert exec_start[2:] == ["--config", "/etc/nextcloud-mcp/nextcloud-mcp.yaml"], exec_start
    assert "/var/lib/nextcloud-mcp" in parser["Service"].get("ReadWritePaths", ""), "the state directory must be writable"


# ---- commands ---------------------------------------------------------------------------


def check_command(cmd: str, ctx: Context) -> None:
    words = shlex.split(cmd.replace('"$PWD/', '"/PWD/'))
    env = {}
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        name, value = words.pop(0).split("=", 1)
        assert name in KNOWN_ENV or name == "RUSTFLAGS", f"unknown environment variable {name}"
        env[name] = value
    if words[:1] == ["sudo"]:
        words.pop(0)
        if words[:1] == ["-u"]:
            words = words[2:]
    head, args = words[0], words[1:]
    assert "RUSTFLAGS" not in env or head == "cargo", f"RUSTFLAGS given to {head}"
    handler = {
        "scripts/nextcloud-setup.sh": cmd_setup_script, "helm": cmd_helm, "kubectl": cmd_kubectl,
        "docker": cmd_docker, "nextcloud-mcp": cmd_binary, "cargo": cmd_cargo, "rustup": cmd_rustup,
        "install": cmd_install, "useradd": cmd_useradd, "systemctl": cmd_systemctl, "curl": cmd_curl,
        "bash": cmd_bash, "php": cmd_php,
    }.get(head)
    assert handler, f"`{head}` is not a command the docs checks know; add a check for it in tests/deploy/docs_checks.py"
    handler(args, ctx, env)


def cmd_setup_script(args, ctx, env):
    if "--kubectl-selector" in args:
        cc.assert_selects_nextcloud_app_only(args[args.index("--kubectl-selector") + 1], "--kubectl-selector")
    proc = subprocess.run(["bash", str(SCRIPT), *args, "--dry-run"], capture_output=True, text=True)
    assert proc.returncode == 0, f"--dry-run exited {proc.returncode}: {proc.stderr}"


def cmd_php(args, ctx, env):
    assert args[0] == "occ", args
    check_occ(args[1:], ctx)


def check_occ(args, ctx):
    norm = normalize_occ(args)
    assert norm in ctx.occ, f"occ {norm!r} is not a command scripts/nextcloud-setup.sh issues: {sorted(ctx.occ)}"


def parse_flags(args, with_value):
    positional, flags = [], []
    it = iter(args)
    for a in it:
        if a.startswith("-") and "=" in a and a.split("=", 1)[0] in with_value:
            flags.append(tuple(a.split("=", 1)))
        elif a in with_value:
            flags.append((a, next(it)))
        elif a.startswith("-"):
            flags.append((a, None))
        else:
            positional.append(a)
    return positional, flags


def cmd_helm(args, ctx, env):
    sub = args[0]
    if sub == "package":
        assert args[1:] == ["charts/nextcloud-mcp"], args
        return
    if sub == "push":
        assert args[1] == PACKAGE, f"helm package names the chart {PACKAGE}, not {args[1]}"
        assert args[2].startswith("oci://") and len(args) == 3, args
        ctx.oci_charts.add(args[2].rstrip("/"))
        return
    assert sub in {"install", "upgrade", "template"}, f"helm {sub} is not checked"
    positional, flags = parse_flags(args[1:], {"-n", "--namespace", "-f", "--values", "--set", "--version"})
    release, chart = positional
    files = [v for f, v in flags if f in {"-f", "--values"}]
    if chart == PACKAGE or chart.startswith("oci://"):
        if chart.startswith("oci://"):
            folder, _, name = chart.rpartition("/")
            assert folder in ctx.oci_charts and name == CHART_META["name"], f"{chart}: not where the docs push the chart"
            assert ("--version", CHART_META["version"]) in flags, f"{chart} needs --version {CHART_META['version']}"
        chart = "charts/nextcloud-mcp"  # the packaged chart renders as the directory (chart_checks.py)
    for f, v in flags:
        if f == "--set" and v.startswith("image.repository="):
            repo = v.split("=", 1)[1]
            assert repo in ctx.pushed_images, f"{repo}: the docs push the image to {sorted(ctx.pushed_images)}"
    if chart == "charts/nextcloud-mcp":
        assert release == cc.RELEASE, f"the docs use the release name {cc.RELEASE!r} (resource names depend on it)"
        values: dict = {}
        for name in files:
            block = ctx.files.get(name)
            assert block and block.kind == "helm-values", f"-f {name}: no `check: helm-values file={name}` block in the docs"
            values = deep_merge(values, yaml.safe_load(block.text))
        for f, v in flags:
            if f == "--set":
                values = deep_merge(values, helm.parse_set_string(v))
        render_values(values, "helm " + " ".join(args))
    elif chart == "nextcloud/nextcloud":
        assert files, "the nextcloud/helm upgrade needs the sidecar values file"
        for name in files:
            block = ctx.files.get(name)
            assert block and block.kind == "nextcloud-chart-values", f"-f {name}: no `check: nextcloud-chart-values file={name}` block"
    else:
        raise AssertionError(f"unknown chart {chart}")


def deep_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def cmd_kubectl(args, ctx, env):
    positional, flags = parse_flags(args, {"-n", "--namespace", "-c", "--from-literal"})
    verb = positional[0]
    if verb == "logs" and positional[1] == f"deploy/{cc.NEXTCLOUD_DEPLOYMENT}":
        # Sidecar mode: the server's container in the nextcloud/helm Deployment.
        container = [v for f, v in flags if f == "-c"]
        snippets = [yaml.safe_load(b.text) for b in ctx.blocks if b.kind == "nextcloud-chart-values"]
        names = {c["name"] for sn in snippets for c in sn["nextcloud"]["extraSidecarContainers"]}
        assert container and container[0] in names, f"-c must name the sidecar container {names}"
    elif verb in {"logs", "port-forward"}:
        target = positional[1]
        assert target in ctx.names, f"{target} is not a resource the chart creates for release {cc.RELEASE}: {sorted(ctx.names)}"
        if verb == "port-forward":
            assert re.fullmatch(r"\d+:8000", positional[2]), positional
    elif verb == "create" and positional[1:3] == ["secret", "generic"]:
        name = positional[3]
        keys = {v.split("=", 1)[0] for f, v in flags if f == "--from-literal"}
        assert keys and keys <= ctx.secret_keys, f"secret keys {keys} are not the chart's {ctx.secret_keys}"
        used = [b for b in ctx.blocks if b.kind == "helm-values" and f"existingSecret: {name}" in b.text]
        assert used, f"no helm values in the docs use secrets.existingSecret: {name}"
    else:
        raise AssertionError(f"kubectl {verb} is not checked")


def cmd_docker(args, ctx, env):
    sub = args[0]
    if sub == "build":
        positional, flags = parse_flags(args[1:], {"-t", "--tag", "-f"})
        assert positional == ["."] and ("-t", IMAGE) in flags, \
            f"expected `docker build -t {IMAGE} .` (the chart's default image.repository and appVersion)"
        assert (ROOT / "Dockerfile").exists()
    elif sub == "tag":
        assert args[1] == IMAGE and args[2].endswith(f"/nextcloud-mcp:{APP_VERSION}"), \
            f"tag {IMAGE} as <registry>/.../nextcloud-mcp:{APP_VERSION}"
        ctx.tagged_images.add(args[2])
    elif sub == "push":
        assert args[1] in ctx.tagged_images, f"{args[1]} is not an image the docs tagged"
        ctx.pushed_images.add(args[1].rsplit(":", 1)[0])
    elif sub == "volume":
        assert args[1] == "create"
        ctx.docker_volumes_created.add(args[2])
    elif sub == "exec":
        assert args[1:3] == ["-u", "www-data"], "occ runs as www-data in the official image"
        assert args[4:6] == ["php", "occ"], args
        check_occ(args[6:], ctx)
    elif sub == "run":
        positional, flags = parse_flags(args[1:], {"-p", "-v", "--name", "-e"})
        assert positional[0] == IMAGE, f"image should be {IMAGE}, got {positional[0]}"
        mounted_config = None
        for f, v in flags:
            if f == "-p":
                assert v.endswith(":8000"), v
            if f == "-v":
                src, dst = v.split(":")[:2]
                if dst == "/etc/nextcloud-mcp/nextcloud-mcp.yaml":
                    name = src.removeprefix("/PWD/")
                    block = ctx.files.get(name)
                    assert block and block.kind == "config", f"{src}: no `check: config file={name}` block"
                    mounted_config = name
                else:
                    assert dst == "/var/lib/nextcloud-mcp", f"unexpected mount {dst}"
                    ctx.docker_volumes_used.add(src)
        assert mounted_config, "the config must be mounted at /etc/nextcloud-mcp/nextcloud-mcp.yaml"
        rest = positional[1:]
        if rest:
            assert rest[0] in SUBCOMMANDS, rest
            if "--config" in rest:
                assert rest[rest.index("--config") + 1] == "/etc/nextcloud-mcp/nextcloud-mcp.yaml"
    else:
        raise AssertionError(f"docker {sub} is not checked")


def cmd_binary(args, ctx, env):
    assert args[0] in SUBCOMMANDS, f"unknown subcommand {args[0]}"
    config = args[args.index("--config") + 1]
    if (ROOT / config).exists():
        if ctx.usable and args[0] == "check-config":
            proc = subprocess.run([str(cc.binary_path()), "check-config", "--config", str(ROOT / config)],
                                  capture_output=True, text=True, timeout=60, env={**os.environ, **env})
            assert proc.returncode == 0, proc.stdout + proc.stderr
    else:
        block = ctx.files.get(config)
        assert block and block.kind == "config", f"--config {config}: neither a repository file nor a `check: config file=` block"
        ctx.config_env.setdefault(config, {}).update(env)


def cmd_cargo(args, ctx, env):
    assert args[:5] == ["build", "--profile", "image", "--locked", "--target"] and args[5] == MUSL, args
    assert f"cargo build --profile image --locked --target {MUSL}" in (ROOT / "Dockerfile").read_text()
    # The recorded profile the Dockerfile builds with (decision 0011), by an absolute path.
    profile = f"pgo/{MUSL}.profdata"
    assert env.get("RUSTFLAGS") == f"-Cprofile-use=$PWD/{profile}", env
    assert f'RUSTFLAGS="-Cprofile-use=/src/{profile}"' in (ROOT / "Dockerfile").read_text()
    assert (ROOT / profile).is_file(), profile
    assert "[profile.image]" in (ROOT / "Cargo.toml").read_text()


def cmd_rustup(args, ctx, env):
    assert args == ["target", "add", MUSL], args


def cmd_install(args, ctx, env):
    positional, flags = parse_flags(args, {"-m", "-o", "-g"})
    if ("-d", None) in flags:
        assert positional[0] in {"/var/lib/nextcloud-mcp", "/etc/nextcloud-mcp"}, positional
        for f, v in flags:
            if f in {"-o", "-g"}:
                assert v == ctx.systemd_user, f"{f} {v} is not the unit's User={ctx.systemd_user}"
    else:
        assert positional == [f"target/{MUSL}/image/nextcloud-mcp", "/usr/local/bin/nextcloud-mcp"], positional


def cmd_useradd(args, ctx, env):
    assert args[-1] == ctx.systemd_user, f"useradd {args[-1]} but the unit runs as {ctx.systemd_user}"
    assert "--system" in args


def cmd_systemctl(args, ctx, env):
    if args == ["daemon-reload"]:
        return
    assert args[:2] == ["enable", "--now"], args
    assert f"{args[2]}.service" in ctx.files, f"no `check: systemd file={args[2]}.service` block"


def cmd_curl(args, ctx, env):
    urls = [a for a in args if a.startswith("http")]
    assert len(urls) == 1, args
    path = re.sub(r"^https?://[^/]+", "", urls[0])
    assert path in HTTP_PATHS, f"{path} is not an endpoint of nextcloud-mcp or Nextcloud's discovery"


def cmd_bash(args, ctx, env):
    assert args[0] in {"tests/deploy/install.sh", "tests/deploy/run.sh"}, args
    assert (ROOT / args[0]).exists()


# ---- links and keys -------------------------------------------------------------------


def slug(heading: str) -> str:
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def check_links(doc: str) -> None:
    text = (ROOT / "docs" / doc).read_text()
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        file = (ROOT / "docs" / path) if path else (ROOT / "docs" / doc)
        if not file.exists():
            problems.append(f"{target}: no such file")
            continue
        if anchor and file.suffix == ".md":
            slugs = {slug(h) for h in re.findall(r"^#+ (.+)$", file.read_text(), re.M)}
            if anchor not in slugs:
                problems.append(f"{target}: no heading with anchor #{anchor}")
    assert not problems, "\n".join(problems)


def check_configuration_keys() -> None:
    example = yaml.safe_load((ROOT / "config" / "nextcloud-mcp.example.yaml").read_text())
    text = (ROOT / "docs" / "configuration.md").read_text()

    def walk(d, prefix=""):  # the leaves
        for k, v in d.items():
            if isinstance(v, dict):
                yield from walk(v, prefix + k + ".")
            else:
                yield prefix + k

    # Commented keys of the example count too.
    commented = re.findall(r"^\s*#\s*([a-z_]+):", (ROOT / "config" / "nextcloud-mcp.example.yaml").read_text(), re.M)
    missing = [k for k in walk(example) if f"`{k}`" not in text and not re.search(rf"`{re.escape(k)}[` /]", text)]
    missing += [k for k in commented if k not in text]
    assert not missing, f"docs/configuration.md does not describe: {missing}"


def check_readme_tests_section() -> None:
    """The README's Tests section names what the test scripts install, and where."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Tests"):]
    section = section[:section.index("\n## ", 1)]
    install = (ROOT / "tests" / "deploy" / "install.sh").read_text()
    apt = set(re.findall(r"missing\+=\(([-a-z0-9]+)\)", install)) - {"ca-certificates"}
    venvs = {".venv-deploy"} | set(re.findall(r"^make_venv (\.[-\w]+) ", (ROOT / "scripts" / "install-test-deps.sh").read_text(), re.M))
    missing = sorted(name for name in apt | venvs | {"npm", "Node 22"} if f"`{name}`" not in section and name not in section)
    assert apt and len(venvs) >= 3, (apt, venvs)
    assert not missing, f"README.md's Tests section does not mention {missing}"
    assert "PIP_BREAK_SYSTEM_PACKAGES" not in install and "PIP_BREAK_SYSTEM_PACKAGES" not in (ROOT / "scripts" / "install-test-deps.sh").read_text()


def check_dockerfile_build_inputs() -> None:
    """The Dockerfile's build stage copies, and .dockerignore lets through, every input of the
    build: Cargo's files, src/, vendor/ (the patched rmcp and reqwest), each path build.rs reads
    (`cargo:rerun-if-changed`), e.g. link/ and native/, and the recorded profile its RUSTFLAGS
    name (pgo/, decision 0011). A missing one breaks only a real `docker build`
    (BINARY_SOURCE=build), which cannot run here."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    stage = dockerfile[dockerfile.index(" AS build"):dockerfile.index(" AS prebuilt")]
    copied = {word.rstrip("/") for line in stage.splitlines() if line.startswith("COPY ")
              for word in line.split()[1:-1]}
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    read_by_build = {m.split("/")[0] for m in re.findall(r"rerun-if-changed=([^\"]+)",
                                                          (ROOT / "build.rs").read_text())}
    profiles = re.findall(r"-Cprofile-use=/src/([^\"\s]+)", stage)
    missing = [p for p in profiles if not (ROOT / p).is_file()]
    assert profiles == ["pgo/x86_64-unknown-linux-musl.profdata"] and not missing, (profiles, missing)
    needed = {"Cargo.toml", "Cargo.lock", "src", "vendor"} | read_by_build | {p.split("/")[0] for p in profiles}
    assert "link" in needed and "native" in needed and "pgo" in needed, needed
    assert needed <= copied, f"the Dockerfile's build stage does not COPY {sorted(needed - copied)}"
    assert needed <= allowed, f".dockerignore keeps {sorted(needed - allowed)} out of the build context"


def main() -> int:
    blocks = [b for doc in DOCS for b in parse_blocks(doc)]
    ctx = Context(blocks)
    check("README.md's Tests section names every apt package and virtual environment the test scripts install",
          check_readme_tests_section)
    check("docs/configuration.md describes every key of the example config", check_configuration_keys)
    check("the Dockerfile's build stage copies every input of the build", check_dockerfile_build_inputs)
    for doc in DOCS:
        check(f"docs/{doc}: relative links and anchors resolve", lambda doc=doc: check_links(doc))
    # Commands first: they record the environment config files are used with.
    deferred = []
    for block in blocks:
        if block.lang in {"sh", "bash"}:
            for line, cmd in commands(block):
                check(f"docs/{block.doc}:{line}: {cmd[:90]}", lambda cmd=cmd: check_command(cmd, ctx))
        else:
            deferred.append(block)
    checkers = {"helm-values": check_helm_values, "config": check_config_block,
                "nextcloud-chart-values": check_nextcloud_chart_values, "systemd": check_systemd}
    for block in deferred:
        name = f"{block.where}: {block.lang or 'plain'} block ({block.kind or 'no check marker'}{' ' + block.attrs['file'] if 'file' in block.attrs else ''})"
        checker = checkers.get(block.kind)
        if not checker or (block.lang, block.kind) not in {("yaml", "helm-values"), ("yaml", "config"),
                                                           ("yaml", "nextcloud-chart-values"), ("ini", "systemd")}:
            ok(name, False, "every non-shell block needs a `<!-- check: KIND -->` marker that matches its language")
            continue
        check(name, lambda block=block, checker=checker: checker(block, ctx))
    check("every Docker volume the docs create is used by a docker run",
          lambda: cc._assert(ctx.docker_volumes_created <= ctx.docker_volumes_used,
                             f"created {ctx.docker_volumes_created}, used {ctx.docker_volumes_used}"))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
