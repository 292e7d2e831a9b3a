"""The second fix compiled into daprd (through the same `go build -overlay`
as daprd_patch.py): a call proxied to an app that Dapr's app health check
finds unhealthy is refused at once with UNAVAILABLE.

daprd 1.18 checks app health on its InvokeService API only (the app channel
answers ErrAppUnhealthy there). The gRPC proxy, which every service here
calls through, forwards to the app regardless, so a call to a frozen app
(SIGSTOP, a stuck event loop) waited for the caller's deadline and ended
DEADLINE_EXCEEDED after 5 s. With the fix the callee's sidecar answers
UNAVAILABLE ("the app is unhealthy") as soon as its health check has marked
the app unhealthy (3 failed probes, 2 s apart), and the caller can tell
"try again later" from "it may have happened".

Until the app has been healthy once, calls pass as before: at start, daprd
counts the app unhealthy until its first probe, and a call in that short
window should not fail where upstream lets it through.
"""

from __future__ import annotations

RUNTIME = "pkg/runtime/runtime.go"
NEW_FILE = "pkg/runtime/zz_daprshop_app_health.go"

WATCH = (
    "\t\ta.appHealth.OnHealthChange(a.appHealthChanged)\n",
    "\t\ta.appHealth.OnHealthChange("
    "daprshopWatchAppHealth(a.appHealth, a.appHealthChanged))\n",
)
PROXY = (
    "\t\tAppClientFn:        a.grpc.GetAppClient,\n",
    "\t\tAppClientFn:        daprshopHealthyAppClient(a.grpc.GetAppClient),\n",
)
REPLACEMENTS = (WATCH, PROXY)

SOURCE = """package runtime

// daprshop build overlay (devmesh/bootstrap/daprd_patch_health.py): calls
// proxied to this sidecar's app are refused with UNAVAILABLE while the app
// health check finds the app unhealthy, once it has been healthy.

import (
	"context"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcStatus "google.golang.org/grpc/status"

	"github.com/dapr/dapr/pkg/apphealth"
)

// DaprshopAppUnhealthy is the message of the refusal.
const DaprshopAppUnhealthy = "the app is unhealthy (daprd app health check)"

var (
	daprshopAppHealth      atomic.Pointer[apphealth.AppHealth]
	daprshopAppSeenHealthy atomic.Bool
)

type daprshopOnChange = apphealth.ChangeCallback

func daprshopWatchAppHealth(
	h *apphealth.AppHealth, next daprshopOnChange,
) daprshopOnChange {
	daprshopAppHealth.Store(h)
	return func(ctx context.Context, s *apphealth.Status) {
		if s.IsHealthy {
			daprshopAppSeenHealthy.Store(true)
		}
		next(ctx, s)
	}
}

type daprshopAppClientFn = func() (grpc.ClientConnInterface, func(bool), error)

func daprshopHealthyAppClient(next daprshopAppClientFn) daprshopAppClientFn {
	return func() (grpc.ClientConnInterface, func(bool), error) {
		h := daprshopAppHealth.Load()
		if h != nil && daprshopAppSeenHealthy.Load() && !h.GetStatus().IsHealthy {
			return nil, nil, grpcStatus.Error(codes.Unavailable, DaprshopAppUnhealthy)
		}
		return next()
	}
}
"""
