package plan

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// scratch is an emptyDir a process writes to: the root filesystem is read-only, so every path a process
// writes is a volume with a size limit, and the container's ephemeral-storage request and limit cover them.
type scratch struct {
	name, path string
	size       int64
}

// workload is what a pod's container needs beyond placement, before it is turned into Kubernetes fields.
type workload struct {
	name      string
	image     string
	pull      string
	command   []string
	env       []corev1.EnvVar
	ports     []corev1.ContainerPort
	mounts    []corev1.VolumeMount // configuration and data, in order
	volumes   []corev1.Volume      // their pod volumes
	scratch   []scratch
	diskStore int64 // size of a disk-backed emptyDir data volume, 0 for others
	resources Resources
	probes    probes
	init      []corev1.Container
}

// probes are a container's three probes. Readiness decides when a pod takes traffic and when a rolling
// update may go on; liveness restarts a process that stopped answering, and is kept looser so a slow
// moment (a long GC, a flush) does not restart a broker.
type probes struct{ startup, readiness, liveness *corev1.Probe }

// tcpProbes: a startup window of startupSeconds, readiness on the client port, liveness on livePort (the
// broker's fast channel: another listener of the same remoting stack, so liveness and readiness differ).
func tcpProbes(port, livePort string, startupSeconds int32) probes {
	tcp := func(p string) corev1.ProbeHandler {
		return corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(p)}}
	}
	return probes{
		startup:   &corev1.Probe{ProbeHandler: tcp(port), PeriodSeconds: 5, FailureThreshold: startupSeconds / 5},
		readiness: &corev1.Probe{ProbeHandler: tcp(port), PeriodSeconds: 10, FailureThreshold: 3},
		liveness:  &corev1.Probe{ProbeHandler: tcp(livePort), PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6},
	}
}

// podSecurityContext: the official image's rocketmq user; fsGroup makes volumes writable for it. It meets
// the Pod Security Standard "restricted".
func podSecurityContext() *corev1.PodSecurityContext {
	uid, gid := int64(UID), int64(GID)
	yes := true
	policy := corev1.FSGroupChangeOnRootMismatch
	return &corev1.PodSecurityContext{
		RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &gid, FSGroup: &gid, FSGroupChangePolicy: &policy,
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func containerSecurityContext() *corev1.SecurityContext {
	uid, gid := int64(UID), int64(GID)
	yes, no := true, false
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: &no,
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		ReadOnlyRootFilesystem:   &yes,
		RunAsNonRoot:             &yes, RunAsUser: &uid, RunAsGroup: &gid,
	}
}

// ephemeralMargin is ephemeral storage a container gets beyond its scratch folders: what the runtime
// keeps of its stdout and stderr.
const ephemeralMargin = 256 * mi

// logsRequest is the ephemeral storage a pod reserves per scratch folder: a few days of a busy broker's
// logs. The limit covers the rest.
const logsRequest = 2 * gi

// finish turns a workload into the pod's container and volumes.
func (b *builder) finish(p *Pod, w workload) {
	mounts := append([]corev1.VolumeMount{}, w.mounts...)
	volumes := append([]corev1.Volume{}, w.volumes...)
	total, request := int64(ephemeralMargin), int64(ephemeralMargin)
	if w.diskStore > 0 {
		// A disk-backed emptyDir store counts towards the pod's ephemeral storage like the scratch folders.
		total += w.diskStore
		request += w.diskStore
	}
	for _, s := range w.scratch {
		size := resource.NewQuantity(s.size, resource.BinarySI)
		mounts = append(mounts, corev1.VolumeMount{Name: s.name, MountPath: s.path})
		volumes = append(volumes, corev1.Volume{Name: s.name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: size}}})
		total += s.size
		request += min(s.size, logsRequest)
	}
	res := w.resources
	// A user's own ephemeral-storage figures win. Otherwise the limit is what the scratch folders may hold,
	// so the kubelet never evicts a pod for logs the image was configured to keep, and the request what
	// they hold in normal operation.
	if _, ok := res.Limits["ephemeral-storage"]; !ok {
		res.Limits["ephemeral-storage"] = resource.NewQuantity(total, resource.BinarySI).String()
	}
	if _, ok := res.Requests["ephemeral-storage"]; !ok {
		res.Requests["ephemeral-storage"] = resource.NewQuantity(min(request, total), resource.BinarySI).String()
	}
	ports := append([]corev1.ContainerPort{}, w.ports...)
	if p.HostNetwork {
		// The API server sets hostPort to containerPort for host-networked pods; written out, the output
		// matches the live object, and the scheduler keeps two pods with the same ports off one node.
		for i := range ports {
			ports[i].HostPort = ports[i].ContainerPort
		}
	}
	if w.command == nil {
		// The image's entrypoint runs the process (the exporter's java is PID 1).
		w.command = []string{}
	}
	p.SecurityContext = b.marshal(podSecurityContext())
	p.Volumes = b.marshal(volumes)
	p.InitContainers = b.marshal(orEmptyContainers(w.init))
	p.Container = Container{
		Name:            w.name,
		Image:           w.image,
		PullPolicy:      w.pull,
		Command:         w.command,
		Env:             b.marshal(w.env),
		Ports:           b.marshal(ports),
		Resources:       res,
		SecurityContext: b.marshal(containerSecurityContext()),
		VolumeMounts:    b.marshal(mounts),
		StartupProbe:    b.marshal(w.probes.startup),
		ReadinessProbe:  b.marshal(w.probes.readiness),
		LivenessProbe:   b.marshal(w.probes.liveness),
	}
}

// dataVolume returns the mount of a component's data volume and, unless it comes from a claim template,
// its pod volume; a hostPath volume also gets an init container that gives the folder to the rocketmq user.
// Every pod of a hostPath StatefulSet mounts its own sub-folder, named after the pod (POD_NAME).
func dataVolume(v Volume, image, pull string) (corev1.VolumeMount, []corev1.Volume, []corev1.Container) {
	mount := corev1.VolumeMount{Name: v.Name, MountPath: v.MountPath}
	switch v.Mode {
	case "hostPath":
		t := corev1.HostPathDirectoryOrCreate
		mount.SubPathExpr = "$(POD_NAME)"
		vol := corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: v.HostPath, Type: &t}}}
		return mount, []corev1.Volume{vol}, []corev1.Container{volumePermissions(v, mount, image, pull)}
	case "nfs":
		// Every pod of the workload mounts the shared claim, each in its own folder named after the pod.
		mount.SubPathExpr = v.SubPath
		vol := corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.Claim}}}
		return mount, []corev1.Volume{vol}, nil
	case "emptyDir":
		ed := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMedium(v.Medium)}
		if v.Size != "" {
			q := resource.MustParse(v.Size)
			ed.SizeLimit = &q
		}
		return mount, []corev1.Volume{{Name: v.Name, VolumeSource: corev1.VolumeSource{EmptyDir: ed}}}, nil
	}
	return mount, nil, nil
}

// diskStore is what a disk-backed emptyDir data volume may hold, 0 for every other volume.
func diskStore(v Volume) int64 {
	if v.Mode != "emptyDir" || v.Medium != "" || v.Size == "" {
		return 0
	}
	q := resource.MustParse(v.Size)
	return q.Value()
}

// podNameEnv gives a container its pod's name, for the hostPath sub-folder.
var podNameEnv = envField("POD_NAME", "metadata.name")

// volumePermissions: the kubelet creates hostPath folders as root, and fsGroup does not apply to them.
func volumePermissions(v Volume, mount corev1.VolumeMount, image, pull string) corev1.Container {
	root, no, yes := int64(0), false, true
	return corev1.Container{
		Name: "volume-permissions", Image: image, ImagePullPolicy: corev1.PullPolicy(pull),
		Command: []string{"chown", "3000:3000", v.MountPath},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &no,
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"CHOWN"}},
			ReadOnlyRootFilesystem:   &yes,
			RunAsNonRoot:             &no, RunAsUser: &root,
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{"cpu": resource.MustParse("10m"), "memory": resource.MustParse("16Mi"), "ephemeral-storage": resource.MustParse("1Mi")},
			Limits:   corev1.ResourceList{"memory": resource.MustParse("16Mi"), "ephemeral-storage": resource.MustParse("1Mi")},
		},
		Env:          []corev1.EnvVar{podNameEnv},
		VolumeMounts: []corev1.VolumeMount{mount},
	}
}

func configVolume(configMap string) (corev1.VolumeMount, corev1.Volume) {
	return corev1.VolumeMount{Name: "config", MountPath: ConfigPath, ReadOnly: true},
		corev1.Volume{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: configMap}}}}
}

func tcpPort(name string, port int) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: int32(port), Protocol: corev1.ProtocolTCP}
}

func envValue(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }

func envField(name, path string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
}

func orEmptyContainers(c []corev1.Container) []corev1.Container {
	if c == nil {
		return []corev1.Container{}
	}
	return c
}
