#!/usr/bin/env bash
# Checks scripts/systemd/dbroll-serve.service (systemd-analyze verify when it is
# installed, and its keys either way) and the YAML in docs/kubernetes.md.
# Usage: service_files_test.sh SOURCE_DIR DBROLL_BINARY
set -euo pipefail
src=$1 bin=$2
unit=$src/scripts/systemd/dbroll-serve.service
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The unit's keys, always.
python3 - "$unit" <<'PY' || exit 1
import sys
allowed = {
  "Unit": {"Description", "Documentation", "After", "Wants"},
  "Service": {"Type", "User", "Group", "WorkingDirectory", "EnvironmentFile", "ExecStart", "Restart", "RestartSec",
              "KillMode", "TimeoutStopSec", "NoNewPrivileges", "PrivateTmp", "ProtectSystem", "ProtectHome",
              "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "RestrictSUIDSGID",
              "LockPersonality", "StateDirectory", "ReadWritePaths"},
  "Install": {"WantedBy"},
}
keys, section = {}, None
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.strip()
    if not line or line.startswith("#"): continue
    if line.startswith("["):
        section = line.strip("[]")
        if section not in allowed: sys.exit(f"line {n}: unknown section [{section}]")
        continue
    if "=" not in line: sys.exit(f"line {n}: not key=value: {line}")
    k, v = line.split("=", 1)
    if k not in allowed[section]: sys.exit(f"line {n}: unknown key {k} in [{section}]")
    keys[(section, k)] = v
need = {("Service", "ExecStart"): " serve ", ("Service", "KillMode"): "mixed", ("Service", "Restart"): "on-failure",
        ("Install", "WantedBy"): "multi-user.target", ("Service", "EnvironmentFile"): "/etc/dbroll/"}
for key, part in need.items():
    if part not in keys.get(key, ""): sys.exit(f"{key[0]}.{key[1]} must contain {part!r}, is {keys.get(key)!r}")
if not keys[("Service", "ExecStart")].startswith("/"): sys.exit("ExecStart needs an absolute path")
print("dbroll-serve.service: keys ok")
PY

if command -v systemd-analyze >/dev/null 2>&1; then
  # verify needs the program to exist: point ExecStart at the built binary.
  sed "s#^ExecStart=/usr/bin/dbroll#ExecStart=$bin#" "$unit" >"$tmp/dbroll-serve.service"
  out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp/dbroll-serve.service" 2>&1) || true
  # Warnings about the host (no dbroll user here) are not about the unit file.
  bad=$(printf '%s\n' "$out" | grep -v -e '^$' -e 'Failed to resolve user' -e 'Failed to resolve group' \
        -e 'not executable' -e 'EnvironmentFile' || true)
  [ -z "$bad" ] || fail "systemd-analyze verify: $bad"
  echo "dbroll-serve.service: systemd-analyze verify ok"
else
  echo "systemd-analyze is not installed: the unit was NOT verified by systemd; its keys were checked"
fi

# The Kubernetes example: every YAML block parses and says what the docs promise.
python3 - "$src/docs/kubernetes.md" <<'PY' || exit 1
import re, sys, yaml
text = open(sys.argv[1]).read()
docs = [d for block in re.findall(r"```yaml\n(.*?)```", text, re.S) for d in yaml.safe_load_all(block) if d]
kinds = {d["kind"]: d for d in docs}
for k in ("Secret", "Job", "Deployment", "Service"):
    if k not in kinds: sys.exit(f"docs/kubernetes.md: no {k}")
job = kinds["Job"]["spec"]
c = job["template"]["spec"]["containers"][0]
assert job["template"]["spec"]["restartPolicy"] == "Never" and job["backoffLimit"] == 0, "the Job must not retry"
assert "migrate" in c["args"], c["args"]
dep = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
assert "serve" in dep["args"], dep["args"]
for probe in ("readinessProbe", "livenessProbe"):
    assert dep[probe]["httpGet"]["path"] == "/healthz", probe
assert kinds["Deployment"]["spec"]["selector"]["matchLabels"] == kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
assert kinds["Service"]["spec"]["selector"] == kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
assert all(e["secretRef"]["name"] == kinds["Secret"]["metadata"]["name"] for e in c["envFrom"] + dep["envFrom"])
print("docs/kubernetes.md: %d documents ok" % len(docs))
PY
