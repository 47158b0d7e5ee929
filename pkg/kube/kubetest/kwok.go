package kubetest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

const (
	// FakeNodeAnnotation marks the nodes kwok plays the kubelet for; AddNodes sets it to "fake".
	FakeNodeAnnotation = "kwok.x-k8s.io/node"

	// PodStartDelay is how long kwok waits before a scheduled pod becomes Running and Ready. A pod that is
	// Ready the instant it is bound would make every unavailability window a few milliseconds long, and a
	// test could no longer tell two members going down together from one after the other.
	PodStartDelay = 500 * time.Millisecond
)

// kwokStages tells the kwok binary what to do with the objects it manages; without stages it does nothing
// (kwokctl brings its own defaults, the bare binary does not). Three stages cover what the tests need,
// each a selector (a jq expression over the object, compared with the listed values) and the steps to
// take once it matches:
//
//   - node-ready: a managed node that does not report Ready True gets the usual kubelet conditions (the
//     NodeConditions template function: Ready True, the pressure and network conditions False) and a
//     linux/amd64 nodeInfo. The patch leaves capacity and allocatable alone, so the values AddNodes gave
//     the node at creation stay. No stage repeats this as a heartbeat: kwok runs with node leases, which it
//     renews every quarter of their 40 s, and the controller-manager's node lifecycle controller takes a
//     renewed lease as a sign of life just as it takes a status update. A node thus stays Ready for as long
//     as kwok runs, and its status is written once.
//   - pod-start: PodStartDelay after a pod is bound to a managed node, it becomes Running with every
//     container running and ready, init containers finished with exit code 0, the pod conditions True, and
//     an address from kwok's allocator for --cidr.
//   - pod-remove: once a pod has a deletionTimestamp its finalizers are cleared and it is deleted with no
//     grace period, so a StatefulSet controller sees the pod gone and makes the replacement at once.
//
// Pods that run to completion (Jobs) have no stage: none of the tests runs one, and such a pod stays Running.
var kwokStages = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - jq:
        key: 'any(.status.conditions[]?; .type == "Ready" and .status == "True")'
        operator: In
        values: ["false"]
  steps:
  - patch:
      subresource: status
      root: status
      type: strategic
      template: |
        {{- $now := Now | Quote }}
        {{- $version := printf "kwok-%s" Version | Quote }}
        nodeInfo:
          operatingSystem: linux
          architecture: amd64
          kubeletVersion: {{ $version }}
          containerRuntimeVersion: {{ $version }}
        conditions:
        {{- range NodeConditions }}
        - type: {{ Quote .type }}
          status: {{ Quote .status }}
          reason: {{ Quote .reason }}
          message: {{ Quote .message }}
          lastHeartbeatTime: {{ $now }}
          lastTransitionTime: {{ $now }}
        {{- end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-start
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - jq:
        key: '.status.phase == "Pending" and .metadata.deletionTimestamp == null'
        operator: In
        values: ["true"]
  delay:
    durationMilliseconds: ` + strconv.FormatInt(PodStartDelay.Milliseconds(), 10) + `
  steps:
  - patch:
      subresource: status
      root: status
      type: strategic
      template: |
        {{- $now := Now | Quote }}
        phase: Running
        startTime: {{ $now }}
        {{- with PodIPsWith .spec.nodeName (default false .spec.hostNetwork) .metadata.uid .metadata.name .metadata.namespace }}
        podIP: {{ first . | Quote }}
        podIPs:
        {{- range . }}
        - ip: {{ Quote . }}
        {{- end }}
        {{- end }}
        conditions:
        {{- range list "Initialized" "ContainersReady" "Ready" }}
        - type: {{ . }}
          status: "True"
          lastTransitionTime: {{ $now }}
        {{- end }}
        {{- with .spec.initContainers }}
        initContainerStatuses:
        {{- range . }}
        - name: {{ Quote .name }}
          image: {{ Quote .image }}
          ready: true
          restartCount: 0
          state:
            terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now }}, finishedAt: {{ $now }}}
        {{- end }}
        {{- end }}
        containerStatuses:
        {{- range .spec.containers }}
        - name: {{ Quote .name }}
          image: {{ Quote .image }}
          ready: true
          started: true
          restartCount: 0
          state:
            running: {startedAt: {{ $now }}}
        {{- end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-remove
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - jq:
        key: '.metadata.deletionTimestamp'
        operator: Exists
  steps:
  - finalizers:
      empty: true
  - delete: true
`

// startKwok runs kwok for the nodes carrying FakeNodeAnnotation and waits for its health endpoint, which
// kwok serves only once its controllers have started. It retries with a new port when the one picked was
// taken in the meantime.
func (c *Cluster) startKwok(bin, dir string, deadline time.Time) error {
	stages := filepath.Join(dir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, []byte(kwokStages), 0o600); err != nil {
		return fmt.Errorf("write kwok stages: %w", err)
	}
	// kwok also loads $KWOK_WORKDIR/kwok.yaml (default ~/.kwok/kwok.yaml), where a developer's own stages
	// would add to ours; an empty work dir keeps the test's kwok to the stages above.
	work := filepath.Join(dir, "kwok-work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return fmt.Errorf("create kwok work dir: %w", err)
	}
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var p *process
		p, err = c.startKwokOnce(bin, dir, work, stages, attempt, deadline)
		if err == nil {
			c.procs = append(c.procs, p)
			return nil
		}
		if !errors.Is(err, errPortTaken) {
			return err
		}
	}
	return err
}

// startKwokOnce starts kwok on one fresh loopback port. On error the process is stopped.
func (c *Cluster) startKwokOnce(bin, dir, work, stages string, attempt int, deadline time.Time) (*process, error) {
	ports, err := pickPorts(1)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	// startProcess hands the child the test's environment; env(1) adds KWOK_WORKDIR and then execs kwok,
	// so the process that is signalled and waited for is kwok itself.
	envBin, err := exec.LookPath("env")
	if err != nil {
		return nil, fmt.Errorf("start kwok: %w", err)
	}
	logName := "kwok.log"
	if attempt > 1 {
		logName = fmt.Sprintf("kwok-%d.log", attempt)
	}
	p, err := startProcess("kwok", envBin, dir, logName, []string{
		"KWOK_WORKDIR=" + work, bin,
		"--kubeconfig=" + c.Kubeconfig,
		"--config=" + stages,
		"--manage-nodes-with-annotation-selector=" + FakeNodeAnnotation + "=fake",
		// Without an address kwok serves nothing, but then nothing says when it is ready; it must not fall
		// back to its 0.0.0.0 default either.
		"--server-address=" + addr,
		// Leases keep the controller-manager from marking the nodes unreachable between status updates.
		"--node-lease-duration-seconds=40",
		// Pod IPs from a range apart from the service range the apiserver uses (10.0.0.0/24).
		"--cidr=10.244.0.0/16",
	})
	if err != nil {
		return nil, err
	}
	plain := &http.Client{Timeout: 2 * time.Second}
	err = waitRunning(deadline, append([]*process{p}, c.procs...), func() error {
		return probe(plain, "http://"+addr+"/healthz", "")
	})
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("kwok: %w", err)
	}
	return p, nil
}
