"""Renders charts/nextcloud-mcp with Helm's own engine (helm-python-sdk, Helm v4 SDK) for each
scenario in charts/nextcloud-mcp/ci/, lints it, validates every manifest against the Kubernetes
schemas (kubernetes-validate), asserts what each scenario must produce, runs checkov once over
all rendered manifests, checks that values.schema.json and the chart's `fail` guards refuse bad
values, and passes each rendered config through `nextcloud-mcp check-config`.

Prints TAP; tests/deploy/run.sh counts the lines."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_readme  # noqa: E402
from tap import CHART, ROOT, binary_path, check, finish, ok, skip  # noqa: E402

helm.disable_logging()

KUBE_VERSION = "1.30.0"
RELEASE = "mcp"
NAMESPACE = "nextcloud"
FULLNAME = "mcp-nextcloud-mcp"
CONFIG_KEY = "nextcloud-mcp.yaml"
SECRET_MOUNT = "/run/secrets/nextcloud-mcp"
HERE = Path(__file__).resolve().parent

# Pod labels of a namespace with two nextcloud/helm releases, their subcharts and our pods.
PODS = yaml.safe_load((HERE / "nextcloud-helm-pods.yaml").read_text())
# The Deployment the nextcloud/helm release "nextcloud" creates (its templates' fullname).
NEXTCLOUD_DEPLOYMENT = "nextcloud"

# CRDs kubernetes-validate has no schema for: checked by hand below.
CRD_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}


def load_values(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def render(values: dict | None, **kw) -> dict[str, str]:
    with helm.Chart.load(str(CHART)) as chart:
        return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True, **kw)


def manifests_of(rendered: dict[str, str]) -> list[dict]:
    docs = []
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                doc.setdefault("__source", path)
                docs.append(doc)
    return docs


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [d for d in by_kind(docs, kind) if name is None or d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}{' ' + name if name else ''}, found {len(found)}"
    return found[0]


def clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "__source"}


def rendered_config(docs: list[dict]) -> dict:
    cm = one(docs, "ConfigMap", FULLNAME)
    return yaml.safe_load(cm["data"][CONFIG_KEY])


def server_container(docs: list[dict]) -> dict:
    dep = one(docs, "Deployment", FULLNAME)
    (container,) = [c for c in dep["spec"]["template"]["spec"]["containers"] if c["name"] == "nextcloud-mcp"]
    return container


def selected_pods(selector: str | dict) -> list[str]:
    """The PODS a kubectl label selector (k=v,k=v) or a matchLabels/selector dict picks."""
    if isinstance(selector, str):
        assert re.fullmatch(r"[-./\w]+=[-.\w]+(,[-./\w]+=[-.\w]+)*", selector), f"not a k=v,... selector: {selector}"
        selector = dict(part.split("=", 1) for part in selector.split(","))
    return sorted(name for name, labels in PODS.items() if all(labels.get(k) == v for k, v in selector.items()))


def assert_selects_nextcloud_app_only(selector: str | dict, where: str) -> None:
    picked = selected_pods(selector)
    assert picked == ["app"], f"{where} ({selector}) selects {picked}, not only the Nextcloud app pod of release nextcloud"


def sidecar_snippet(notes: str) -> dict:
    """The nextcloud/helm values NOTES.txt prints in sidecar mode."""
    lines = notes.splitlines()
    start = lines.index("nextcloud:")
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return yaml.safe_load("\n".join(lines[start:end]))


def assert_notes_commands_exist(notes: str, docs: list[dict]) -> None:
    """Every kubectl command NOTES.txt prints names something that exists in that mode."""
    sidecar = not by_kind(docs, "Deployment")
    container = None
    if sidecar:
        (container,) = sidecar_snippet(notes)["nextcloud"]["extraSidecarContainers"]
    lines = [line.strip() for line in notes.splitlines() if line.strip().startswith("kubectl ")]
    assert lines, "NOTES.txt prints no kubectl command"
    for line in lines:
        words = shlex.split(line)
        assert words[1] == "-n" and words[2] == NAMESPACE, f"{line}: not in the release namespace"
        verb, target, rest = words[3], words[4], words[5:]
        kind, _, name = target.partition("/")
        if verb == "logs" and kind == "deploy":
            if sidecar:
                assert name == NEXTCLOUD_DEPLOYMENT and rest == ["-c", container["name"]], \
                    f"{line}: the sidecar runs as container {container['name']} of deploy/{NEXTCLOUD_DEPLOYMENT}"
            else:
                one(docs, "Deployment", name)
                assert not rest, line
        elif verb == "logs" and kind == "job":
            one(docs, "Job", name)
        elif verb == "port-forward" and kind == "svc":
            svc = one(docs, "Service", name)
            local, remote = rest[0].split(":")
            (port,) = [p for p in svc["spec"]["ports"] if p["port"] == int(remote)]
            if sidecar:
                assert_selects_nextcloud_app_only(svc["spec"]["selector"], f"{line}: Service {name}")
                names = [p["name"] for p in container["ports"]]
                assert port["targetPort"] in names, f"{line}: targetPort {port['targetPort']} is not a sidecar port {names}"
            else:
                labels = one(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
                assert all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()), f"{line}: selects no server pod"
        else:
            raise AssertionError(f"{line}: a kubectl command the checks do not know")


# ---- what every scenario must satisfy ------------------------------------------------------


def assert_kubernetes_valid(docs: list[dict]) -> None:
    errors = []
    for doc in docs:
        key = (doc["apiVersion"], doc["kind"])
        if key in CRD_KINDS:
            spec = doc.get("spec", {})
            if not (spec.get("selector", {}).get("matchLabels") and spec.get("endpoints")):
                errors.append(f"{doc['kind']} {doc['metadata']['name']}: needs spec.selector.matchLabels and spec.endpoints")
            continue
        try:
            kubernetes_validate.validate(clean(doc), KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            errors.append(f"{doc['__source']}: {doc['kind']} {doc['metadata']['name']}: {path}: {exc.message}")
    assert not errors, "\n".join(errors)


def assert_common(docs: list[dict]) -> None:
    for doc in docs:
        meta = doc["metadata"]
        assert meta.get("namespace"), f"{doc['kind']} {meta['name']} has no namespace"
        assert meta.get("labels", {}).get("app.kubernetes.io/instance") == RELEASE, f"{doc['kind']} {meta['name']} lacks labels"
    for dep in by_kind(docs, "Deployment"):
        pod = dep["spec"]["template"]
        spec = pod["spec"]
        assert spec["automountServiceAccountToken"] is False
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        ann = pod["metadata"]["annotations"]
        assert re.fullmatch(r"[0-9a-f]{64}", ann["checksum/config"]), "checksum/config annotation missing"
        container = server_container(docs)
        assert container["args"] == ["serve", "--config", f"/etc/nextcloud-mcp/{CONFIG_KEY}"], container["args"]
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["runAsNonRoot"] is True
        assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
        assert sc["seccompProfile"]["type"] == "RuntimeDefault"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["ports"][0]["containerPort"] == 8000
        assert container["resources"]["requests"] and container["resources"]["limits"]
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert mounts["/etc/nextcloud-mcp"]["readOnly"] is True
        assert "/tmp" in mounts


def assert_state_volume(docs: list[dict], pvc: bool) -> None:
    config = rendered_config(docs)
    storage = config["auth"]["oauth"]["client"]["registration"]["storage_path"]
    state_dir = os.path.dirname(storage)
    container = server_container(docs)
    mount = [m for m in container["volumeMounts"] if m["mountPath"] == state_dir]
    assert mount, f"no volume mounted at {state_dir} (registration.storage_path's directory)"
    dep = one(docs, "Deployment")
    (vol,) = [v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == mount[0]["name"]]
    if pvc:
        assert vol["persistentVolumeClaim"]["claimName"] == FULLNAME, vol
        one(docs, "PersistentVolumeClaim", FULLNAME)
        assert dep["spec"]["strategy"]["type"] == "Recreate"
    else:
        assert "emptyDir" in vol, vol
        assert not by_kind(docs, "PersistentVolumeClaim")


def secret_files(docs: list[dict], values: dict) -> dict[str, str]:
    """What the pod would find under the secret mount: from the chart's Secret, or made-up
    contents for the keys an existing Secret must hold."""
    secrets = by_kind(docs, "Secret")
    if secrets:
        return {k: base64.b64decode(v).decode() for k, v in secrets[0]["data"].items()}
    files = {}
    dep = by_kind(docs, "Deployment")
    if dep:
        for vol in dep[0]["spec"]["template"]["spec"]["volumes"]:
            for item in vol.get("secret", {}).get("items", []):
                files[item["key"]] = "secret-from-an-existing-secret-0123456789abcdef"
    else:  # sidecar: the keys named in the config
        config = rendered_config(docs)
        text = json.dumps(config)
        for path in re.findall(re.escape(SECRET_MOUNT) + r"/([-._a-zA-Z0-9]+)", text):
            files[path] = "secret-from-an-existing-secret-0123456789abcdef"
    return files


# ---- scenarios ---------------------------------------------------------------------------


def scenario_defaults(docs, values):
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ServiceAccount"], kinds
    config = rendered_config(docs)
    assert config["auth"]["mode"] == "oauth"
    assert "id" not in config["auth"]["oauth"]["client"]
    assert config["server"]["public_url"] == "http://localhost:8000"
    hosts = config["server"]["allowed_hosts"]
    for host in ["localhost", "127.0.0.1", FULLNAME, f"{FULLNAME}.{NAMESPACE}.svc", f"{FULLNAME}.{NAMESPACE}.svc.cluster.local"]:
        assert host in hosts, f"{host} not in allowed_hosts {hosts}"
    assert_state_volume(docs, pvc=False)
    assert one(docs, "ServiceAccount")["automountServiceAccountToken"] is False
    assert not by_kind(docs, "Secret"), "no secret is needed for an auto-registered client"


def scenario_oauth_pvc(docs, values):
    config = rendered_config(docs)
    assert config["server"]["public_url"] == "https://mcp.example.com", config["server"]["public_url"]
    assert "mcp.example.com" in config["server"]["allowed_hosts"]
    reg = config["auth"]["oauth"]["client"]["registration"]
    assert reg["redirect_uris"] == ["https://mcp.example.com/oauth/callback"], reg["redirect_uris"]
    assert_state_volume(docs, pvc=True)
    ing = one(docs, "Ingress")
    assert ing["spec"]["rules"][0]["host"] == "mcp.example.com"
    assert ing["spec"]["tls"][0]["secretName"] == "mcp-example-com-tls"
    np = one(docs, "NetworkPolicy")
    assert set(np["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    egress_ports = sorted({p["port"] for rule in np["spec"]["egress"] for p in rule["ports"]}, key=str)
    assert egress_ports == sorted({53, 80, 443, 8080}, key=str), egress_ports
    job = one(docs, "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    args = job["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["apply", "--kubectl-selector"], args
    assert_selects_nextcloud_app_only(args[2], "the occ-setup Job's --kubectl-selector")
    assert "--dynamic-registration" in args and args[args.index("--client-expire-time") + 1] == "86400", args
    role = one(docs, "Role")
    rules = {(tuple(r["resources"]), tuple(r["verbs"])) for r in role["rules"]}
    assert rules == {(("pods",), ("get", "list")), (("pods/exec",), ("create", "get"))}, rules
    assert one(docs, "RoleBinding")["roleRef"]["name"] == role["metadata"]["name"]
    script = one(docs, "ConfigMap", f"{FULLNAME}-occ-setup")["data"]["nextcloud-setup.sh"]
    assert script == (ROOT / "scripts" / "nextcloud-setup.sh").read_text(), "the Job's script differs from scripts/nextcloud-setup.sh"
    job_pod_labels = job["spec"]["template"]["metadata"]["labels"]
    selector = one(docs, "Service")["spec"]["selector"]
    assert not all(job_pod_labels.get(k) == v for k, v in selector.items()), "the Service would select the Job's pod"


def scenario_preconfigured_hpa(docs, values):
    config = rendered_config(docs)
    client = config["auth"]["oauth"]["client"]
    assert client["id"] == values["config"]["auth"]["oauth"]["client"]["id"]
    assert "registration" not in client, "registration must be dropped for a preconfigured client"
    assert client["secret_file"] == f"{SECRET_MOUNT}/client-secret"
    assert config["server"]["stateful"] is False
    hpa = one(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] == 2 and hpa["spec"]["maxReplicas"] == 4
    dep = one(docs, "Deployment")
    assert "replicas" not in dep["spec"], "the HPA owns replicas"
    secret = one(docs, "Secret")
    assert base64.b64decode(secret["data"]["client-secret"]).decode() == values["secrets"]["oauthClientSecret"]["value"]
    container = server_container(docs)
    assert not [m for m in container["volumeMounts"] if m["mountPath"] == "/var/lib/nextcloud-mcp"], "no state dir for a preconfigured client"
    assert any(m["mountPath"] == SECRET_MOUNT for m in container["volumeMounts"])
    one(docs, "ServiceMonitor")
    assert not by_kind(docs, "PersistentVolumeClaim")


def scenario_basic(docs, values):
    config = rendered_config(docs)
    basic = config["auth"]["basic"]
    assert config["auth"]["mode"] == "basic" and basic["username"] == "mcp-bot"
    assert basic["password_file"] == f"{SECRET_MOUNT}/app-password"
    assert basic["bearer_token_file"] == f"{SECRET_MOUNT}/mcp-token"
    secret = one(docs, "Secret")
    assert sorted(secret["data"]) == ["app-password", "mcp-token"]
    dep = one(docs, "Deployment")
    (vol,) = [v for v in dep["spec"]["template"]["spec"]["volumes"] if "secret" in v]
    assert [i["key"] for i in vol["secret"]["items"]] == ["app-password", "mcp-token"]


def scenario_sidecar(docs, values):
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Service"], \
        f"sidecar mode renders the ConfigMap and the Service for port 8000 (+ Secret when the chart makes one): {kinds}"
    config = rendered_config(docs)
    assert config["nextcloud"]["url"] == "http://localhost"
    assert config["auth"]["oauth"]["client"]["secret_file"] == f"{SECRET_MOUNT}/client-secret"
    hosts = config["server"]["allowed_hosts"]
    for host in ["mcp.example.com", "localhost", FULLNAME, f"{FULLNAME}.{NAMESPACE}.svc.cluster.local"]:
        assert host in hosts, f"{host} (public URL, the sidecar Service) not in allowed_hosts {hosts}"
    svc = one(docs, "Service", FULLNAME)
    assert_selects_nextcloud_app_only(svc["spec"]["selector"], "the sidecar Service")
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(8000, "mcp")], svc["spec"]["ports"]


def assert_sidecar_probes(notes: str) -> None:
    """A pod is Ready only when every container is: the sidecar's readiness must not follow
    /readyz (Nextcloud or its OIDC app unreachable), or Nextcloud would leave its own Service."""
    (container,) = sidecar_snippet(notes)["nextcloud"]["extraSidecarContainers"]
    probes = {k: v["httpGet"]["path"] for k, v in container.items() if k.endswith("Probe")}
    assert probes == {"startupProbe": "/healthz", "readinessProbe": "/healthz", "livenessProbe": "/healthz"}, probes
    assert container["ports"] == [{"name": "mcp", "containerPort": 8000}], container["ports"]


SCENARIOS = {
    "defaults-values.yaml": scenario_defaults,
    "oauth-autoregistration-pvc-values.yaml": scenario_oauth_pvc,
    "preconfigured-client-hpa-values.yaml": scenario_preconfigured_hpa,
    "basic-values.yaml": scenario_basic,
    "sidecar-values.yaml": scenario_sidecar,
}


# ---- the packaged chart --------------------------------------------------------------------

CHART_META = yaml.safe_load((CHART / "Chart.yaml").read_text())
PACKAGE_NAME = f"{CHART_META['name']}-{CHART_META['version']}.tgz"


def check_package(scenario_renders: dict[str, tuple[dict, dict[str, str]]]) -> None:
    """`helm package` the chart (into DEPLOY_ARTIFACTS, kept as CI's artifact), then check that
    the package holds what an install needs and renders every scenario as the directory does."""
    dest = Path(os.environ.get("DEPLOY_ARTIFACTS") or tempfile.mkdtemp(prefix="nextcloud-mcp-chart-"))
    dest.mkdir(parents=True, exist_ok=True)
    try:
        package = Path(helm.package(str(CHART), destination=str(dest)))
    except Exception as exc:  # noqa: BLE001
        ok("helm package charts/nextcloud-mcp", False, str(exc))
        return
    ok(f"helm package charts/nextcloud-mcp -> {package}", package.name == PACKAGE_NAME, f"expected {PACKAGE_NAME}")

    def contents():
        import tarfile

        with tarfile.open(package) as tar:
            names = {m.name for m in tar.getmembers()}
            top = CHART_META["name"]
            for need in ["Chart.yaml", "values.yaml", "values.schema.json", "README.md", "templates/NOTES.txt",
                         "templates/sidecar-service.yaml", "files/nextcloud-setup.sh"]:
                assert f"{top}/{need}" in names, f"{need} missing from {package.name}"
            assert not [n for n in names if n.startswith(f"{top}/ci/")], "ci/ must stay out of the package (.helmignore)"
            script = tar.extractfile(f"{top}/files/nextcloud-setup.sh")
            assert script is not None, "files/nextcloud-setup.sh is a link in the package, not the script"
            assert script.read().decode() == (ROOT / "scripts" / "nextcloud-setup.sh").read_text(), \
                "the packaged files/nextcloud-setup.sh differs from scripts/nextcloud-setup.sh"

    check(f"{package.name} holds the templates, schema, README and the setup script's content, not ci/", contents)

    def lint():
        report = helm.lint(str(package), {}, strict=False, namespace=NAMESPACE, kube_version="v" + KUBE_VERSION)
        problems = [m for m in report["messages"] if m["severity"] >= 2] + [{"error": e} for e in report.get("errors", [])]
        assert not problems, json.dumps(problems, indent=1)

    check(f"helm lint {package.name}", lint)
    for label, (values, expected) in scenario_renders.items():
        def same():
            with helm.Chart.load(str(package)) as chart:
                chart.validate_schema(values)
                got = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
            assert got == expected, f"differs in {sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))}"

        check(f"{label}: `helm install` from {package.name} renders what the chart directory renders", same)


# ---- check-config ------------------------------------------------------------------------


def binary_status() -> tuple[bool, str]:
    """(usable, why not)."""
    binary = binary_path()
    if not binary.exists():
        return False, f"{binary} does not exist (build it with `cargo build`, or set NEXTCLOUD_MCP_BIN)"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as bad:
        bad.write("server:\n  listen: 1\nnot_a_key: true\n")
    try:
        proc = subprocess.run([str(binary), "check-config", "--config", bad.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(bad.name)
    if proc.returncode == 0:
        return False, f"{binary} accepted an invalid config: it does not implement check-config yet"
    return True, ""


def run_check_config(config_text: str, files: dict[str, str], workdir: Path,
                     binary: Path | None = None) -> subprocess.CompletedProcess:
    secret_dir = workdir / "secrets"
    secret_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (secret_dir / name).write_text(content)
    config_path = workdir / CONFIG_KEY
    config_path.write_text(config_text.replace(SECRET_MOUNT, str(secret_dir)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEXTCLOUD_",))}
    return subprocess.run([str(binary or binary_path()), "check-config", "--config", str(config_path)],
                          capture_output=True, text=True, timeout=60, env=env)


# ---- checkov -----------------------------------------------------------------------------


def run_checkov(outdir: Path) -> None:
    checkov = shutil.which("checkov")
    if not checkov:
        ok("checkov: no failed check on the rendered manifests", False, "checkov not installed; run tests/deploy/install.sh")
        return
    proc = subprocess.run(
        [checkov, "--directory", str(outdir), "--framework", "kubernetes", "--output", "json", "--compact", "--skip-download"],
        capture_output=True, text=True, timeout=600,
    )
    try:
        reports = json.loads(proc.stdout)
    except json.JSONDecodeError:
        ok("checkov: no failed check on the rendered manifests", False, proc.stdout[-3000:] + proc.stderr[-3000:])
        return
    if isinstance(reports, dict):
        reports = [reports]
    failed, skipped, passed = [], [], 0
    for report in reports:
        results = report.get("results", {})
        passed += len(results.get("passed_checks", []))
        for f in results.get("failed_checks", []):
            failed.append(f"{f['check_id']} {f['check_name']} in {f['file_path']} ({f['resource']})")
        skipped += results.get("skipped_checks", [])
    ok(f"checkov: no failed check on the rendered manifests ({passed} passed, {len(skipped)} skipped)",
       not failed and passed > 0, "\n".join(failed) or proc.stderr[-2000:])
    unexplained = [s["check_id"] for s in skipped if len((s.get("check_result", {}) or {}).get("suppress_comment", "") or "") < 20]
    ok("checkov: every skipped check carries a written reason", not unexplained, f"skips without a reason: {unexplained}")


# ---- main --------------------------------------------------------------------------------


def main() -> int:
    outdir = Path(tempfile.mkdtemp(prefix="nextcloud-mcp-rendered-"))
    usable, why = binary_status()
    rendered_configs: list[tuple[str, str, dict]] = []
    scenario_renders: dict[str, tuple[dict, dict[str, str]]] = {}

    # Values in the chart mirror the example config key by key.
    def config_keys_match():
        example = yaml.safe_load((ROOT / "config" / "nextcloud-mcp.example.yaml").read_text())
        values = yaml.safe_load((CHART / "values.yaml").read_text())["config"]

        def keys(d, prefix=""):
            out = set()
            for k, v in d.items():
                out.add(prefix + k)
                if isinstance(v, dict):
                    out |= keys(v, prefix + k + ".")
            return out

        missing = keys(example) - keys(values)
        extra = keys(values) - keys(example)
        assert not missing and not extra, f"values.yaml config: missing {sorted(missing)}, extra {sorted(extra)}"

    check("values.yaml `config:` has exactly the keys of config/nextcloud-mcp.example.yaml", config_keys_match)
    def schema_accepts_example():
        import jsonschema

        schema = json.loads((CHART / "values.schema.json").read_text())["properties"]["config"]
        example = yaml.safe_load((ROOT / "config" / "nextcloud-mcp.example.yaml").read_text())
        jsonschema.validate(example, schema)

    check("values.schema.json's `config` accepts config/nextcloud-mcp.example.yaml", schema_accepts_example)
    check("charts/nextcloud-mcp/files/nextcloud-setup.sh is scripts/nextcloud-setup.sh",
          lambda: _assert((CHART / "files" / "nextcloud-setup.sh").read_text() == (ROOT / "scripts" / "nextcloud-setup.sh").read_text()))

    for file_name, scenario in SCENARIOS.items():
        values_path = CHART / "ci" / file_name
        values = load_values(values_path)
        label = file_name.removesuffix("-values.yaml")
        with helm.Chart.load(str(CHART)) as chart:
            check(f"{label}: values pass values.schema.json", lambda: chart.validate_schema(values))

        def lint():
            report = helm.lint(str(CHART), values, strict=False, namespace=NAMESPACE, kube_version="v" + KUBE_VERSION)
            problems = [m for m in report["messages"] if m["severity"] >= 2] + [{"error": e} for e in report.get("errors", [])]
            assert not problems, json.dumps(problems, indent=1)

        check(f"{label}: helm lint finds no warning or error", lint)
        try:
            rendered = render(values)
            docs = manifests_of(rendered)
        except Exception as exc:  # noqa: BLE001
            ok(f"{label}: renders", False, str(exc))
            continue
        ok(f"{label}: renders ({len(docs)} manifests)", True)
        scenario_renders[label] = (values, rendered)
        check(f"{label}: every manifest is valid against the Kubernetes {KUBE_VERSION} schemas", lambda: assert_kubernetes_valid(docs))
        check(f"{label}: namespaces, labels, security context, probes, checksum", lambda: assert_common(docs))
        check(f"{label}: scenario expectations", lambda: scenario(docs, values))
        notes = rendered.get("nextcloud-mcp/templates/NOTES.txt", "")
        if values.get("deployment", {}).get("enabled", True):
            check(f"{label}: NOTES.txt prints the MCP URL", lambda: _assert(re.search(r"^\s+https?://\S+/mcp$", notes, re.M), notes))
        else:
            check(f"{label}: NOTES.txt gives the nextcloud/helm sidecar snippet",
                  lambda: _assert("extraSidecarContainers" in notes and "extraVolumes" in notes, notes))
        sidecar = not values.get("deployment", {}).get("enabled", True)
        if sidecar:
            check(f"{label}: the sidecar's startup/readiness/liveness probes use /healthz, never /readyz",
                  lambda: assert_sidecar_probes(notes))
        check(f"{label}: every kubectl command NOTES.txt prints names something that exists in this mode",
              lambda: assert_notes_commands_exist(notes, docs))

        def notes_selectors():
            for selector in re.findall(r"--kubectl-selector (\S+)", notes):
                assert_selects_nextcloud_app_only(selector, "NOTES.txt's --kubectl-selector")

        check(f"{label}: the --kubectl-selector NOTES.txt prints picks only the Nextcloud app pod", notes_selectors)
        mode = (values.get("config", {}).get("auth") or {}).get("mode", "oauth")
        if mode == "basic":
            check(f"{label}: basic-mode NOTES.txt does not ask for the oidc/user_oidc setup",
                  lambda: _assert(not re.search(r"nextcloud-setup\.sh|occSetup|Prepare Nextcloud", notes), notes))
        host = urllib.parse.urlsplit(rendered_config(docs)["nextcloud"]["url"]).hostname or ""  # None: ${VAR}
        in_cluster = bool(host) and host not in {"localhost", "127.0.0.1"} and (
            host.endswith((".svc", ".svc.cluster.local")) or "." not in host)
        url = rendered_config(docs)["nextcloud"]["url"]
        check(f"{label}: NOTES.txt {'names' if in_cluster else 'does not ask for'} trusted_domains for nextcloud.url {url}",
              lambda: _assert(("trusted_domains" in notes and host in notes) if in_cluster else "trusted_domains" not in notes, notes))

        def notes_command_parses():
            for line in re.findall(r"^\s*(scripts/nextcloud-setup\.sh .*)$", notes, re.M):
                args = shlex.split(line.replace("<nextcloud-namespace>", "nextcloud"))
                proc = subprocess.run(["bash", str(ROOT / args[0]), *args[1:], "--dry-run"], capture_output=True, text=True)
                assert proc.returncode == 0, f"{line}: {proc.stderr}"

        check(f"{label}: the setup command NOTES.txt prints parses with --dry-run", notes_command_parses)
        with open(outdir / f"{label}.yaml", "w") as fh:
            yaml.safe_dump_all([clean(d) for d in docs], fh, sort_keys=False)
        rendered_configs.append((label, one(docs, "ConfigMap", FULLNAME)["data"][CONFIG_KEY], secret_files(docs, values)))

    # Docs snippets of Helm values are rendered by docs_checks.py; these are the refusals.
    for path in sorted((HERE / "values" / "bad").glob("*.yaml")):
        expect = _expectation(path)
        values = load_values(path)

        def rejected():
            with helm.Chart.load(str(CHART)) as chart:
                try:
                    chart.validate_schema(values)
                except helm.HelmValuesError as exc:
                    assert expect in str(exc), f"rejected, but the message lacks {expect!r}: {exc}"
                    return
            raise AssertionError("values.schema.json accepted these values")

        check(f"values.schema.json rejects {path.name} ({expect})", rejected)

    for path in sorted((HERE / "values" / "refused").glob("*.yaml")):
        expect = _expectation(path)
        values = load_values(path)

        def refused():
            try:
                render(values)
            except helm.HelmRenderError as exc:
                assert expect in str(exc), f"refused, but the message lacks {expect!r}: {exc}"
                return
            raise AssertionError("the chart rendered these values instead of failing")

        check(f"the chart refuses {path.name} ({expect})", refused)

    check_package(scenario_renders)
    check("charts/nextcloud-mcp/README.md's values table is what tests/deploy/chart_readme.py generates from values.yaml",
          lambda: _assert(chart_readme.readme_with_table(chart_readme.README.read_text()) == chart_readme.README.read_text(),
                          "run: python tests/deploy/chart_readme.py --write"))
    check("the chart README has an upgrade section and install commands for the packaged chart",
          lambda: _assert(re.search(r"^## Upgrade$", chart_readme.README.read_text(), re.M)
                          and f"{PACKAGE_NAME}" in chart_readme.README.read_text(), "missing ## Upgrade or the package name"))

    run_checkov(outdir)

    for label, config_text, files in rendered_configs:
        name = f"{label}: the ConfigMap's config passes nextcloud-mcp check-config"
        if not usable:
            if os.environ.get("CI"):
                ok(name, False, why)
            else:
                skip(name, why)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            proc = run_check_config(config_text, files, Path(tmp))
        ok(name, proc.returncode == 0, proc.stdout + proc.stderr)

    shutil.rmtree(outdir, ignore_errors=True)
    return finish()


def _assert(cond, detail=""):
    assert cond, detail


def _expectation(path: Path) -> str:
    match = re.search(r"^# expect: (.+)$", path.read_text(), re.M)
    assert match, f"{path} needs a '# expect: <message part>' line"
    return match.group(1).strip()


if __name__ == "__main__":
    sys.exit(main())
