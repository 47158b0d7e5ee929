// Helpers shared by the blueprints. They place what the plan resolved (names, labels, security contexts,
// probes, volumes, commands) and decide nothing; everything here is a pure function of its arguments.
{
  // has says whether an optional plan field is there (the plan leaves out zero ports and empty maps).
  has(o, f):: std.objectHas(o, f) && o[f] != 0,

  // service is a Service of the plan's ports.
  service(p, name, labels, type, selector, ports, extra={}):: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: $.metadata(p, name, labels),
    spec: { type: type, selector: selector, ports: ports } + extra,
  },

  // syncAnnotations are the sync-order annotations of an object with these labels: its broker
  // group's, else its component's (plan.Sync).
  syncAnnotations(p, labels)::
    if std.objectHas(labels, 'rocketops.dev/broker-group') then std.get(p.sync.groups, labels['rocketops.dev/broker-group'], {})
    else std.get(p.sync.components, std.get(labels, 'app.kubernetes.io/component', ''), {}),

  // objectMetadata: name, the plan's labels plus extra ones, the plan's annotations, the object's sync
  // annotations and extra ones.
  objectMetadata(p, name, extraLabels, annotations)::
    local labels = p.labels + extraLabels;
    local all = p.annotations + $.syncAnnotations(p, labels) + annotations;
    {
      name: name,
      labels: labels,
      [if std.length(all) > 0 then 'annotations']: all,
    },

  // clusterMetadata is the metadata of a cluster-scoped object: no namespace, and the label naming the
  // namespace whose cluster it belongs to, since cluster names repeat across namespaces.
  clusterMetadata(p, name, extraLabels={}, annotations={})::
    $.objectMetadata(p, name, extraLabels + { 'rocketops.dev/namespace': p.namespace }, annotations),

  // Object metadata: objectMetadata and the namespace.
  metadata(p, name, extraLabels={}, annotations={}):: $.objectMetadata(p, name, extraLabels, annotations) + {
    namespace: p.namespace,
  },

  resources(r):: {
    [if std.length(r.requests) > 0 then 'requests']: r.requests,
    [if std.length(r.limits) > 0 then 'limits']: r.limits,
  },

  // container is a plan pod's one container.
  container(c):: {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.pullPolicy,
    [if std.length(c.command) > 0 then 'command']: c.command,
    env: c.env,
    ports: c.ports,
    resources: $.resources(c.resources),
    securityContext: c.securityContext,
    volumeMounts: c.volumeMounts,
    startupProbe: c.startupProbe,
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
  },

  // podTemplate is the pod template of a workload.
  podTemplate(pod):: {
    metadata: {
      labels: pod.labels,
      [if std.length(pod.annotations) > 0 then 'annotations']: pod.annotations,
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: pod.securityContext,
      terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
      // Host networking: the pods resolve cluster names through the cluster's DNS still.
      [if $.has(pod, 'hostNetwork') then 'hostNetwork']: true,
      [if $.has(pod, 'hostNetwork') then 'dnsPolicy']: 'ClusterFirstWithHostNet',
      [if std.length(pod.pullSecrets) > 0 then 'imagePullSecrets']: [{ name: s } for s in pod.pullSecrets],
      [if std.length(pod.nodeSelector) > 0 then 'nodeSelector']: pod.nodeSelector,
      [if std.length(pod.tolerations) > 0 then 'tolerations']: pod.tolerations,
      [if std.length(pod.affinity) > 0 then 'affinity']: pod.affinity,
      [if std.objectHas(pod, 'topologySpreadConstraints') then 'topologySpreadConstraints']: pod.topologySpreadConstraints,
      [if std.objectHas(pod, 'priorityClassName') then 'priorityClassName']: pod.priorityClassName,
      [if std.length(pod.initContainers) > 0 then 'initContainers']: pod.initContainers,
      containers: [$.container(pod.container)],
      volumes: pod.volumes,
    },
  },

  // claimTemplate spells out what the API server stores in a claim template (apiVersion, kind and
  // volumeMode; kube-apiserver v1.33.13 keeps them so), so the live StatefulSet matches what was
  // applied and Argo CD's diff shows no change (argoproj/argo-cd issue 11143).
  claimTemplate(v, labels):: {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: v.name, labels: labels },
    spec: {
      accessModes: v.accessModes,
      [if std.objectHas(v, 'storageClass') then 'storageClassName']: v.storageClass,
      resources: { requests: { storage: v.size } },
      volumeMode: 'Filesystem',
    },
  },

  pdb(p, name, labels, selector):: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: $.metadata(p, name, labels),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  },

  configMap(p, name, labels, files):: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: $.metadata(p, name, labels),
    data: files,
  },

  // statefulSet runs a pod template, with a claim template for a persistentVolumeClaim volume. A rolling
  // update replaces one pod at a time, highest ordinal first, each after the one before is ready;
  // Parallel only lets pods start and stop together when the StatefulSet is scaled.
  // claimed says whether a volume comes from a claim template: its own claim per pod.
  claimed(v):: v.mode == 'persistentVolumeClaim' || v.mode == 'local',

  statefulSet(p, name, labels, serviceName, replicas, pod, volume, extra=[])::
    local claims = [$.claimTemplate(v, pod.selectorLabels) for v in [volume] + extra if $.claimed(v)];
    {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: $.metadata(p, name, labels),
    spec: {
      serviceName: serviceName,
      replicas: replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: pod.selectorLabels },
      // partition 0 spelled out: every pod is updated, and the live object matches what was applied.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: $.podTemplate(pod),
      [if std.length(claims) > 0 then 'volumeClaimTemplates']: claims,
    },
  },
}
