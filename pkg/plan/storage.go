package plan

import (
	"fmt"

	"github.com/rocketops/rocketops/pkg/spec"
)

// CommitLogPath is where a separate commitlog volume is mounted (storePathCommitLog).
const CommitLogPath = Home + "/commitlog"

// StorageClass is a StorageClass for local volumes: no provisioner, bound when the first pod that
// uses a claim is scheduled, and the volume kept when the claim goes.
type StorageClass struct {
	Name string `json:"name" doc:"StorageClass name."`
}

// PersistentVolume is a volume rocketops generates for one claim: a local folder on one node, or an
// NFS export.
type PersistentVolume struct {
	Name         string            `json:"name" doc:"PersistentVolume name: <namespace>-<claim>, unique in the cluster."`
	Component    string            `json:"component" doc:"Component whose claim it serves."`
	Group        string            `json:"group,omitempty" doc:"Broker group whose claim it serves."`
	Size         string            `json:"size" doc:"Capacity."`
	AccessModes  []string          `json:"accessModes" doc:"Access modes."`
	StorageClass string            `json:"storageClass" doc:"StorageClass name; empty for an NFS volume, which is bound by name."`
	Local        *LocalSource      `json:"local,omitempty" doc:"Local folder and its node."`
	NFS          *NFSSource        `json:"nfs,omitempty" doc:"NFS export."`
	MountOptions []string          `json:"mountOptions,omitempty" doc:"Mount options."`
	ClaimRef     ClaimRef          `json:"claimRef" doc:"The claim the volume is reserved for."`
	Labels       map[string]string `json:"labels" doc:"Labels beyond the cluster's."`
}

// LocalSource is a folder on one node.
type LocalSource struct {
	Path string `json:"path" doc:"Folder on the node."`
	Node string `json:"node" doc:"Node name (kubernetes.io/hostname)."`
}

// NFSSource is an NFS export.
type NFSSource struct {
	Server string `json:"server" doc:"NFS server."`
	Path   string `json:"path" doc:"Exported path."`
}

// ClaimRef names a claim.
type ClaimRef struct {
	Namespace string `json:"namespace" doc:"Namespace of the claim."`
	Name      string `json:"name" doc:"Name of the claim."`
}

// Claim is a PersistentVolumeClaim rocketops writes itself (rather than a claim template): the one
// claim an NFS export is shared through.
type Claim struct {
	Name        string            `json:"name" doc:"Claim name."`
	Component   string            `json:"component" doc:"Component whose pods mount it."`
	Group       string            `json:"group,omitempty" doc:"Broker group whose pods mount it."`
	Size        string            `json:"size" doc:"Requested size."`
	AccessModes []string          `json:"accessModes" doc:"Access modes."`
	VolumeName  string            `json:"volumeName" doc:"The PersistentVolume it binds to."`
	Labels      map[string]string `json:"labels" doc:"Labels beyond the cluster's."`
}

// ClaimName is the name the StatefulSet controller gives the claim of template in pod ordinal of
// statefulSet: <template>-<statefulSet>-<ordinal>. Local volumes are pre-bound to it by claimRef, so
// this is the one place that knows it.
func ClaimName(template, statefulSet string, ordinal int) string {
	return fmt.Sprintf("%s-%s-%d", template, statefulSet, ordinal)
}

// volumeName names a PersistentVolume, cluster-scoped, after the claim it serves, which is unique in
// its namespace only.
func (b *builder) volumeName(claim string) string { return b.c.Metadata.Namespace + "-" + claim }

// storage adds what a workload's volume v needs beyond the StatefulSet: the local PersistentVolumes of
// its pods (nodes by ordinal) and their StorageClass, or the NFS volume and claim all its pods share.
// component and group label the objects so they are written beside the workload's.
func (b *builder) storage(v *Volume, st spec.Storage, component, group, statefulSet string, replicas int, nodes []string) {
	labels := map[string]string{LabelComponent: component}
	if group != "" {
		labels[LabelGroup] = group
	}
	switch st.Mode {
	case "local":
		if st.Local == nil {
			b.fail(fmt.Errorf("%s: local storage without local settings", statefulSet))
			return
		}
		if *st.Local.CreateStorageClass && *v.StorageClass != "" {
			b.storageClass(*v.StorageClass)
		}
		for i := 0; i < replicas; i++ {
			if i >= len(nodes) {
				b.fail(fmt.Errorf("%s: %d nodes for %d members", statefulSet, len(nodes), replicas))
				return
			}
			claim := ClaimName(v.Name, statefulSet, i)
			b.out.PersistentVolumes = append(b.out.PersistentVolumes, PersistentVolume{
				Name: b.volumeName(claim), Component: component, Group: group, Size: v.Size,
				AccessModes: v.AccessModes, StorageClass: *v.StorageClass,
				// The folder is named like the volume, unique in the cluster: two environments or clusters that
				// use the same node and path never share one.
				Local:    &LocalSource{Path: trimSlash(st.Local.Path) + "/" + b.volumeName(claim), Node: nodes[i]},
				ClaimRef: ClaimRef{Namespace: b.c.Metadata.Namespace, Name: claim},
				Labels:   labels,
			})
		}
	case "nfs":
		claim := statefulSet + "-" + v.Name
		v.Claim = claim
		// Each pod's folder on the export: namespace, volume and pod, so two volumes, environments or
		// clusters on one export never share a folder.
		v.SubPath = b.c.Metadata.Namespace + "/" + v.Name + "/$(POD_NAME)"
		b.out.PersistentVolumes = append(b.out.PersistentVolumes, PersistentVolume{
			Name: b.volumeName(claim), Component: component, Group: group, Size: v.Size,
			AccessModes: v.AccessModes, StorageClass: "",
			NFS:          &NFSSource{Server: st.NFS.Server, Path: st.NFS.Path},
			MountOptions: st.NFS.MountOptions,
			ClaimRef:     ClaimRef{Namespace: b.c.Metadata.Namespace, Name: claim},
			Labels:       labels,
		})
		b.out.Claims = append(b.out.Claims, Claim{
			Name: claim, Component: component, Group: group, Size: v.Size, AccessModes: v.AccessModes,
			VolumeName: b.volumeName(claim), Labels: labels,
		})
	}
}

// storageClass adds the local StorageClass once.
func (b *builder) storageClass(name string) {
	for _, sc := range b.out.StorageClasses {
		if sc.Name == name {
			return
		}
	}
	b.out.StorageClasses = append(b.out.StorageClasses, StorageClass{Name: name})
}

func trimSlash(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// LocalNodes assigns the nodes of local volumes to the broker groups' members: a group's own nodes,
// else the next ones of the shared list (storage's, else the commitlog storage's), group by group.
func LocalNodes(b spec.Brokers) [][]string {
	shared := sharedNodes(b)
	var out [][]string
	next := 0
	for _, g := range b.GroupList() {
		n := g.Size(b.Mode)
		if len(g.Nodes) > 0 {
			out = append(out, g.Nodes)
			continue
		}
		end := min(next+n, len(shared))
		out = append(out, shared[next:end])
		next = end
	}
	return out
}

func sharedNodes(b spec.Brokers) []string {
	if b.Storage.Local != nil && len(b.Storage.Local.Nodes) > 0 {
		return b.Storage.Local.Nodes
	}
	if b.CommitLogStorage != nil && b.CommitLogStorage.Local != nil {
		return b.CommitLogStorage.Local.Nodes
	}
	return nil
}

// localNodes is the node list of a name server or controller store.
func localNodes(st spec.Storage) []string {
	if st.Local == nil {
		return nil
	}
	return st.Local.Nodes
}
