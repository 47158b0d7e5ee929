// Helpers shared by the blueprints: metadata, the security context of the official RocketMQ image,
// probes and volumes. Everything here is a pure function of its arguments.
{
  // Object metadata: name, namespace, the plan's labels plus extra ones, the plan's annotations.
  metadata(p, name, extraLabels={}):: {
    name: name,
    namespace: p.namespace,
    labels: p.labels + extraLabels,
    [if std.length(p.annotations) > 0 then 'annotations']: p.annotations,
  },

  // The official image runs as rocketmq (uid and gid 3000); fsGroup makes volumes writable for it.
  podSecurityContext:: {
    runAsNonRoot: true,
    runAsUser: 3000,
    runAsGroup: 3000,
    fsGroup: 3000,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  },

  containerSecurityContext:: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    runAsUser: 3000,
    runAsGroup: 3000,
  },

  // tcpProbes checks a named port: a generous startup window, then readiness and liveness.
  tcpProbes(port, startupSeconds):: {
    startupProbe: { tcpSocket: { port: port }, periodSeconds: 5, failureThreshold: std.ceil(startupSeconds / 5) },
    readinessProbe: { tcpSocket: { port: port }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: port }, periodSeconds: 20, failureThreshold: 6 },
  },

  // podSpec is the part of a pod spec every workload shares.
  podSpec(pod):: {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: $.podSecurityContext,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    [if std.length(pod.pullSecrets) > 0 then 'imagePullSecrets']: [{ name: s } for s in pod.pullSecrets],
    [if std.length(pod.nodeSelector) > 0 then 'nodeSelector']: pod.nodeSelector,
    [if std.length(pod.tolerations) > 0 then 'tolerations']: pod.tolerations,
    [if std.length(pod.affinity) > 0 then 'affinity']: pod.affinity,
  },

  resources(r):: {
    [if std.length(r.requests) > 0 then 'requests']: r.requests,
    [if std.length(r.limits) > 0 then 'limits']: r.limits,
  },

  // A volume of a pod for a plan volume that is not a claim template.
  podVolume(v):: {
    name: v.name,
  } + (
    if v.mode == 'hostPath' then { hostPath: { path: v.hostPath, type: 'DirectoryOrCreate' } }
    else {
      emptyDir: {
        [if std.objectHas(v, 'medium') && v.medium != '' then 'medium']: v.medium,
        [if std.objectHas(v, 'size') then 'sizeLimit']: v.size,
      },
    }
  ),

  claimTemplate(p, v, labels):: {
    metadata: { name: v.name, labels: labels },
    spec: {
      accessModes: v.accessModes,
      [if std.objectHas(v, 'storageClass') then 'storageClassName']: v.storageClass,
      resources: { requests: { storage: v.size } },
    },
  },

  // hostPath folders are created by the kubelet as root; this makes them the RocketMQ user's.
  volumePermissions(image, pullPolicy, v):: {
    name: 'volume-permissions',
    image: image,
    imagePullPolicy: pullPolicy,
    command: ['chown', '3000:3000', v.mountPath],
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['CHOWN'] },
      runAsNonRoot: false,
      runAsUser: 0,
    },
    volumeMounts: [{ name: v.name, mountPath: v.mountPath }],
  },

  pdb(p, name, labels, selector):: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: $.metadata(p, name, labels),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  },

  configMap(p, name, labels, file, text):: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: $.metadata(p, name, labels),
    data: { [file]: text },
  },

  // statefulSet runs one pod template with a claim template for a persistentVolumeClaim volume.
  statefulSet(p, name, labels, serviceName, replicas, pod, volume, containers, initContainers, extraVolumes):: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: $.metadata(p, name, labels),
    spec: {
      serviceName: serviceName,
      replicas: replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: pod.selectorLabels },
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: {
          labels: pod.labels,
          [if std.length(pod.annotations) > 0 then 'annotations']: pod.annotations,
        },
        spec: $.podSpec(pod) + {
          [if std.length(initContainers) > 0 then 'initContainers']: initContainers,
          containers: containers,
          volumes: extraVolumes + (if volume.mode == 'persistentVolumeClaim' then [] else [$.podVolume(volume)]),
        },
      },
      [if volume.mode == 'persistentVolumeClaim' then 'volumeClaimTemplates']: [$.claimTemplate(p, volume, pod.selectorLabels)],
    },
  },
}
