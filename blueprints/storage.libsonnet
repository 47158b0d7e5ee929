// The storage objects of local and NFS volumes: the local StorageClass, a PersistentVolume per claim
// (reserved for it by claimRef), and the claims NFS volumes are shared through.
local k = import 'k.libsonnet';

function(p)
  local field(f) = if std.objectHas(p, f) then p[f] else [];
  [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: k.clusterMetadata(p, sc.name, { 'app.kubernetes.io/component': 'storage' }),
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
    }
    for sc in field('storageClasses')
  ] + [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: k.clusterMetadata(p, pv.name, pv.labels, p.keepAnnotations),
      spec: {
        capacity: { storage: pv.size },
        accessModes: pv.accessModes,
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: pv.storageClass,
        volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pv.claimRef.namespace, name: pv.claimRef.name },
        [if std.objectHas(pv, 'mountOptions') then 'mountOptions']: pv.mountOptions,
      } + (
        if std.objectHas(pv, 'local') then {
          'local': { path: pv['local'].path },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [
            { key: 'kubernetes.io/hostname', operator: 'In', values: [pv['local'].node] },
          ] }] } },
        } else {
          nfs: { server: pv.nfs.server, path: pv.nfs.path },
        }
      ),
    }
    for pv in field('persistentVolumes')
  ] + [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: k.metadata(p, c.name, c.labels, p.keepAnnotations),
      spec: {
        accessModes: c.accessModes,
        storageClassName: '',
        volumeName: c.volumeName,
        resources: { requests: { storage: c.size } },
      },
    }
    for c in field('claims')
  ]
