"""The Kubernetes base (deploy/k8s), rendered offline by `kubectl kustomize` as a cluster would
get it: the replicas, the probes on paths the processes really serve, the variables the
processes really read, the Secret kept out of the repository, the Rasa routing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from backend.settings import Settings
from tests.support import ROOT

K8S = ROOT / "deploy" / "k8s"
RASA_SIDE = ROOT / "bot" / "rasa_plugins" / "config.py"
RASA_IMAGE = ROOT / "deploy" / "Dockerfile.rasa"
RASA_SERVER = ROOT / ".venv-rasa" / "lib" / "python3.10" / "site-packages" / "rasa" / "server.py"


@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    if shutil.which("kubectl") is None:
        if os.environ.get("CI"):  # .ci/run installs it: missing there is a broken machine
            pytest.fail("kubectl is missing (.ci/run installs Debian's kubernetes-client)")
        pytest.skip("kubectl is not installed")
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, check=True
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def objects(rendered, kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in rendered if doc["kind"] == kind}


def container(deployment: dict) -> dict:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def port_number(spec: dict, port: str | int) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in spec["ports"] if p["name"] == port)


def web_paths() -> set[str]:
    from bot.channels.web.app import make_app
    from tests.support.settings import fast_settings

    return {route.path for route in make_app(fast_settings()).routes}


def action_server_paths() -> set[str]:
    from rasa_sdk.executor import ActionExecutor

    from actions.server import make_app

    app = make_app(ActionExecutor())
    return {"/" + route.path.strip("/") for route in app.router.routes}


def telegram_paths() -> set[str]:
    from bot.channels.telegram.webhook import webhook_app

    return {route.path for route in webhook_app(None, "/telegram", "secret").routes}


def rasa_paths() -> set[str]:
    if not RASA_SERVER.exists():
        pytest.skip("the Rasa environment is not installed")
    return set(re.findall(r'@app\.get\("([^"<]*)"', RASA_SERVER.read_text()))


SERVED = {"web": web_paths, "actions": action_server_paths, "rasa": rasa_paths}
SERVED["telegram"] = telegram_paths


@pytest.mark.parametrize("name", ["rasa", "actions", "web"])
def test_each_tier_runs_two_replicas_with_probes_and_requests(rendered, name):
    deployment = objects(rendered, "Deployment")[name]
    spec = container(deployment)
    assert deployment["spec"]["replicas"] >= 2
    assert spec["readinessProbe"]["httpGet"] and spec["livenessProbe"]["httpGet"]
    assert {"cpu", "memory"} <= set(spec["resources"]["requests"])
    assert "memory" in spec["resources"]["limits"]


@pytest.mark.parametrize("name", ["rasa", "actions", "web", "telegram"])
def test_probes_ask_paths_and_ports_the_process_serves(rendered, name):
    spec = container(objects(rendered, "Deployment")[name])
    served = SERVED[name]()
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if probe in spec:
            check = spec[probe]["httpGet"]
            assert check["path"] in served, f"{name} {probe}: {check['path']} not served"
            assert port_number(spec, check["port"]) in {p["containerPort"] for p in spec["ports"]}


def test_web_readiness_checks_dependencies_and_liveness_does_not(rendered):
    spec = container(objects(rendered, "Deployment")["web"])
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_rasa_and_actions_scale_on_cpu_from_two_replicas(rendered):
    autoscalers = objects(rendered, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"rasa", "actions"}
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("name", ["dispatcher", "scheduler", "telegram"])
def test_singletons_never_run_twice_not_even_during_a_rollout(rendered, name):
    deployment = objects(rendered, "Deployment")[name]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def read_variables() -> set[str]:
    """Every variable some process reads: the app's settings, the Rasa side's configuration,
    and the two the Rasa image's command and endpoints.yml expand."""
    app = {name.upper() for name in Settings.model_fields}
    rasa = set(re.findall(r'environ\.get\("([A-Z_]+)"', RASA_SIDE.read_text()))
    image = set(re.findall(r"\$\{?([A-Z_]+)\}?", RASA_IMAGE.read_text()))
    assert {"TRACKER_STORE_URL", "REDIS_URL"} <= rasa and "RASA_API_TOKEN" in image
    return app | rasa | image


def secret_template() -> dict:
    return yaml.safe_load((K8S / "secret.template.yaml").read_text())


def test_every_variable_given_is_one_a_process_reads(rendered):
    given = set(objects(rendered, "ConfigMap")["sportello-config"]["data"])
    given |= set(secret_template()["stringData"])
    for deployment in objects(rendered, "Deployment").values():
        given |= {env["name"] for env in container(deployment).get("env", [])}
    unknown = given - read_variables()
    assert not unknown, f"no process reads {sorted(unknown)}"


def test_the_secret_is_a_template_only(rendered):
    assert not objects(rendered, "Secret"), "a Secret is rendered: it would be in the repo"
    template = secret_template()
    assert template["metadata"]["name"] == "sportello-secrets"
    for key, value in template["stringData"].items():
        assert "<" in value and ">" in value, f"{key} holds a value, not a placeholder"
    referenced = {
        env["valueFrom"]["secretKeyRef"]["key"]
        for deployment in objects(rendered, "Deployment").values()
        for env in container(deployment).get("env", [])
        if "valueFrom" in env
    }
    assert referenced <= set(template["stringData"])


def test_postgres_and_redis_are_outside_the_cluster(rendered):
    services = objects(rendered, "Service")
    for name in ("postgres", "redis"):
        assert services[name]["spec"]["type"] == "ExternalName"
    assert not {"postgres", "redis"} & set(objects(rendered, "Deployment"))
    for key in ("DATABASE_URL", "TRACKER_STORE_URL"):
        assert "@postgres:5432/" in secret_template()["stringData"][key]


def test_a_conversation_is_routed_to_one_rasa_pod(rendered):
    """Rasa OSS's Redis lock store races when two servers take one conversation (rasa #9213):
    the channels reach Rasa only through rasa-router, which hashes the REST sender."""
    config = objects(rendered, "ConfigMap")
    assert config["sportello-config"]["data"]["RASA_URL"] == "http://rasa-router:5005"
    haproxy = config["rasa-router"]["data"]["haproxy.cfg"]
    assert "json_query('$.sender')" in haproxy
    assert re.search(r"^\s*balance hash var\(txn\.conversation\)$", haproxy, re.M)
    assert re.search(r"^\s*hash-type consistent$", haproxy, re.M)
    # Retrying a request a pod received could handle a message twice.
    assert re.search(r"^\s*retry-on conn-failure$", haproxy, re.M)
    assert objects(rendered, "Service")["rasa"]["spec"]["clusterIP"] == "None"


def test_the_router_configuration_is_valid_haproxy(rendered, tmp_path):
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed")
    config = tmp_path / "haproxy.cfg"
    config.write_text(objects(rendered, "ConfigMap")["rasa-router"]["data"]["haproxy.cfg"])
    subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)


def test_one_app_image_runs_every_app_process(rendered):
    images = {
        name: container(deployment)["image"].rsplit("/", 1)[-1].split(":")[0]
        for name, deployment in objects(rendered, "Deployment").items()
        if name != "rasa-router"
    }
    assert images.pop("rasa") == "sportello-rasa"
    assert set(images.values()) == {"sportello-app"}
