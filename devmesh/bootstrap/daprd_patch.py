"""Two fixes compiled into daprd, through `go build -overlay` (the modules'
own sources stay untouched): Kafka pub/sub keeps a resubscribed topic (here),
and the gRPC proxy refuses calls to an unhealthy app (daprd_patch_health.py).

With app health checks on, a sidecar stops its app's subscriptions when the
app turns unhealthy and subscribes again when it is healthy. The Kafka
component (components-contrib, common/component/kafka/subscriber.go) keeps one
handler per topic name; a subscription that ends removes its topics' handlers
from a goroutine that runs when the subscription's context is cancelled. When
the old subscription's Stop only returns as the app thaws (it waits for an
in-flight delivery), that goroutine races the new subscription for the same
topic: if it runs second, it deletes the new handler and reloads the consumer
group without the topic, and the app never gets that topic again. This is the
cause found in the sources for the fault tier's F11 (SIGSTOP for 30 s with app
health on) losing 112 of 150 emails once; a Go test against the module shows
it deterministically (an old subscription cancelled after a new one to the
same topic leaves no handler). A reviewer pointed at the same hazard when the
code was written (dapr/components-contrib#3363). The module proxy reachable
here has no later dapr release (1.18.4+ are refused) and no later
components-contrib source (1.18.6 is listed, its zip refused).

The overlay gives each Subscribe call an owner token per topic: an ending
subscription removes a topic's handler only while it still owns it. Every
replaced snippet must appear exactly once, so a version bump that changes the
file fails loudly here instead of building an unpatched daprd.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from devmesh.bootstrap import daprd_patch_health
from devmesh.bootstrap.shared import StepFailed, go_module_dir, sh
from devmesh.paths import SRC

CONTRIB = "github.com/dapr/components-contrib"
SUBSCRIBER = "common/component/kafka/subscriber.go"

IMPORTS = ('\t"errors"\n\t"time"\n', '\t"errors"\n\t"sync"\n\t"time"\n')
SUBSCRIBE = (
    "\tfor _, topic := range topics {\n"
    "\t\tk.subscribeTopics[topic] = handlerConfig\n"
    "\t}\n",
    "\towner := new(byte)\n"
    "\tfor _, topic := range topics {\n"
    "\t\tk.subscribeTopics[topic] = handlerConfig\n"
    "\t\tdaprshopTopicOwners.set(k, topic, owner)\n"
    "\t}\n",
)
UNSUBSCRIBE = (
    "\t\tfor _, topic := range topics {\n"
    "\t\t\tdelete(k.subscribeTopics, topic)\n"
    "\t\t}\n",
    "\t\tfor _, topic := range topics {\n"
    "\t\t\tif daprshopTopicOwners.release(k, topic, owner) {\n"
    "\t\t\t\tdelete(k.subscribeTopics, topic)\n"
    "\t\t\t}\n"
    "\t\t}\n",
)
OWNERS = """
// daprshop build overlay (devmesh/bootstrap/daprd_patch.py): which Subscribe
// call registered each topic's handler, so that an ending subscription never
// removes the handler of a newer subscription to the same topic.
type daprshopOwners struct {
	lock   sync.Mutex
	owners map[*Kafka]map[string]*byte
}

var daprshopTopicOwners = &daprshopOwners{owners: map[*Kafka]map[string]*byte{}}

func (o *daprshopOwners) set(k *Kafka, topic string, owner *byte) {
	o.lock.Lock()
	defer o.lock.Unlock()
	if o.owners[k] == nil {
		o.owners[k] = map[string]*byte{}
	}
	o.owners[k][topic] = owner
}

// release reports whether owner still owns topic, and forgets it if so.
func (o *daprshopOwners) release(k *Kafka, topic string, owner *byte) bool {
	o.lock.Lock()
	defer o.lock.Unlock()
	if o.owners[k][topic] != owner {
		return false
	}
	delete(o.owners[k], topic)
	if len(o.owners[k]) == 0 {
		delete(o.owners, k)
	}
	return true
}
"""
REPLACEMENTS = (IMPORTS, SUBSCRIBE, UNSUBSCRIBE)


def digest() -> str:
    """Short hash of both patches: part of daprd's name, so a changed patch
    builds a new binary."""
    health = [daprd_patch_health.REPLACEMENTS, daprd_patch_health.SOURCE]
    text = json.dumps([REPLACEMENTS, OWNERS, *health])
    return hashlib.sha256(text.encode()).hexdigest()[:6]


def replaced(
    original: str, replacements: tuple[tuple[str, str], ...], where: str
) -> str:
    """Each (old, new) applied once; StepFailed if an old snippet is not
    there exactly once (the upstream source changed: look again)."""
    text = original
    for old, new in replacements:
        if text.count(old) != 1:
            raise StepFailed(
                f"daprd: {where} no longer has the snippet {old.strip()!r}"
                " exactly once; check whether the new version needs the fix"
                " and update devmesh/bootstrap/daprd_patch*.py"
            )
        text = text.replace(old, new)
    return text


def patched(original: str) -> str:
    """The subscriber source with the fix; StepFailed if it no longer fits."""
    return replaced(original, REPLACEMENTS, f"{CONTRIB}'s {SUBSCRIBER}") + OWNERS


def patched_runtime(original: str) -> str:
    """dapr's runtime.go with the proxy's app health check wired in."""
    return replaced(
        original, daprd_patch_health.REPLACEMENTS, daprd_patch_health.RUNTIME
    )


def contrib_version(dapr_src: Path) -> str:
    """The components-contrib version the dapr module requires."""
    found = re.search(rf"^\s*{re.escape(CONTRIB)} v(\S+)$", _go_mod(dapr_src), re.M)
    if not found:
        raise StepFailed(f"daprd: no {CONTRIB} requirement in {dapr_src}/go.mod")
    return found.group(1)


def _go_mod(dapr_src: Path) -> str:
    return (dapr_src / "go.mod").read_text()


def overlay(dapr_src: Path) -> Path:
    """A `go build -overlay` file replacing the Kafka subscriber and dapr's
    runtime.go, and adding daprd_patch_health's file to dapr's runtime.

    Go refuses overlays of files in its module cache, so the dapr module is
    pointed (a `replace`) at a writable, unmodified copy of components-contrib
    and the overlay names that copy's file."""
    version = contrib_version(dapr_src)
    contrib = go_module_dir("daprd", CONTRIB, version)
    sh("daprd", ["go", "mod", "edit", "-replace", f"{CONTRIB}={contrib}"], cwd=dapr_src)
    original = contrib / SUBSCRIBER
    folder = SRC / f"daprd-overlay-contrib-{version}-{digest()}"
    folder.mkdir(parents=True, exist_ok=True)
    fixed = folder / "kafka_subscriber.go"
    fixed.write_text(patched(original.read_text()))
    runtime = dapr_src / daprd_patch_health.RUNTIME
    runtime_fixed = folder / "runtime.go"
    runtime_fixed.write_text(patched_runtime(runtime.read_text()))
    added = folder / "app_health.go"
    added.write_text(daprd_patch_health.SOURCE)
    files = {
        str(original): str(fixed),
        str(runtime): str(runtime_fixed),
        str(dapr_src / daprd_patch_health.NEW_FILE): str(added),
    }
    spec = folder / "overlay.json"
    spec.write_text(json.dumps({"Replace": files}))
    return spec
