#!/usr/bin/env bash
# kind-e2e.sh - the SMI conformance suites against one real mesh on a
# throw-away kind cluster, for a mesh project's release CI:
#
#   deploy/kind-e2e.sh [--mesh linkerd|osm] [--out DIR] [--keep-cluster]
#
# It creates a kind cluster (one control plane, two workers, so traffic
# crosses nodes), builds the smi-witness image from this repository and
# loads it, installs the agent (deploy/), installs the mesh with its SMI
# support, runs `smi-witness run --cluster` over the SMI suites from this
# machine and leaves the reports in DIR (default out-e2e/). The exit status
# is the run's: 0 every check passed, 1 a check failed, 3 inconclusive,
# 4 the cluster could not run the suites (see docs/kubernetes.md).
#
# Needs: docker, kind, kubectl and the mesh's CLI (linkerd, or osm) on
# PATH. smi-witness itself runs from the image it builds (host network, to
# reach kind's API server on 127.0.0.1), so nothing else is built here.
#
# Not run by this project's own tests: where they run there is no container
# engine and no cluster. `run --cluster` itself is tested there against a
# scripted API server in front of real lab pods and agents
# (tests/integration/cluster_run.sh).
set -euo pipefail

mesh=linkerd out=out-e2e keep=
while [ $# -gt 0 ]; do
	case $1 in
	--mesh) mesh=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--keep-cluster) keep=1; shift ;;
	*) echo "usage: $0 [--mesh linkerd|osm] [--out DIR] [--keep-cluster]" >&2; exit 2 ;;
	esac
done
case $mesh in linkerd|osm) ;; *) echo "$0: --mesh is linkerd or osm" >&2; exit 2 ;; esac
for tool in docker kind kubectl "$mesh"; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 4; }
done

here=$(cd "$(dirname "$0")/.." && pwd)
cluster=smiw-e2e
work=$(mktemp -d)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	rm -rf "$work"
	[ -n "$keep" ] || kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "kind cluster $cluster"
cat >"$work/kind.yaml" <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
  - role: worker
EOF
kind create cluster --name "$cluster" --config "$work/kind.yaml" --kubeconfig "$work/kubeconfig" --wait 120s
export KUBECONFIG=$work/kubeconfig

step "image smi-witness:dev (agent and sample app)"
docker build -f "$here/deploy/Containerfile" -t smi-witness:dev "$here"
kind load docker-image smi-witness:dev --name "$cluster"

step "agent"
kubectl apply -f "$here/deploy/namespace.yaml"
head -c 32 /dev/urandom | base64 | tr -d '/+=' >"$work/agent-token"
kubectl -n smi-witness create secret generic smi-witness-agent-token --from-file=token="$work/agent-token"
kubectl apply -k "$here/deploy/"
kubectl -n smi-witness rollout status daemonset/smi-witness-agent --timeout 180s

step "mesh $mesh with its SMI support"
case $mesh in
linkerd)
	linkerd install --crds | kubectl apply -f -
	linkerd install | kubectl apply -f -
	linkerd check --wait 300s
	linkerd smi install | kubectl apply -f -
	kubectl -n linkerd-smi wait --for=condition=available deployment --all --timeout 180s
	;;
osm)
	# Permissive mode off: the access suites need a mesh that denies what no TrafficTarget allows.
	osm install --set osm.enablePermissiveTrafficPolicy=false --verbose
	kubectl -n osm-system wait --for=condition=available deployment --all --timeout 300s
	;;
esac

# The suites of the SMI APIs the mesh serves: linkerd-smi serves only
# TrafficSplit (no routes, no access control); OSM serves all three groups.
case $mesh in
linkerd) suites="traffic-split split-three-way traffic-metrics" ;;
osm) suites="traffic-split split-ab-header split-three-way traffic-metrics traffic-access traffic-specs
	access-route-combined access-tcp-ports access-sources" ;;
esac
step "the SMI suites: smi-witness run --cluster --mesh $mesh"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rc=0
# shellcheck disable=SC2046
docker run --rm --network host --user "$(id -u):$(id -g)" -e KUBECONFIG="$KUBECONFIG" \
	-v "$work:$work" -v "$here:$here:ro" -v "$out:$out" -w "$out" smi-witness:dev \
	smi-witness run $(for s in $suites; do echo "$here/specs/$s.yaml"; done) \
	--cluster --mesh "$mesh" --sample-app "$here/deploy/sample-app/$mesh" --token-file "$work/agent-token" \
	--out "$out" || rc=$?
echo "reports: $out/$mesh/report.json, junit.xml; matrix: $out/matrix.html (exit $rc)"
exit "$rc"
