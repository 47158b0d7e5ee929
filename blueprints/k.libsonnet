// Helpers shared by the blueprints. They place what the plan resolved (names, labels, security contexts,
// probes, volumes, commands) and decide nothing; everything here is a pure function of its arguments.
// They run once per object, pod and broker group, so they are written for what go-jsonnet does
// cheaply: flat object literals rather than `+` chains, `x != {}` and `x != []` rather than
// std.length(x) > 0, locals for what is used twice, and std.objectHasEx(o, f, false), std.objectHas
// without its extra function call.
//
// The Kubernetes values the plan built whole (probes, volumes, affinity, env, ports, security
// contexts, network policy rules, alert groups) and its long strings (configuration files, scripts)
// arrive as short marks that rendering replaces with the values afterwards (pkg/render/fragments.go):
// place them as they are, and test them only for emptiness; indexing one, joining it to a string or
// using it as a key fails the render.
{
  // has says whether an optional plan field is there (the plan leaves out zero ports and empty maps).
  has(o, f):: std.objectHasEx(o, f, false) && o[f] != 0,

  // service is a Service of the plan's ports.
  service(p, name, labels, type, selector, ports, extra={}, annotations={}):: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: $.metadata(p, name, labels, annotations),
    spec: { type: type, selector: selector, ports: ports } + extra,
  },

  // syncAnnotations are the sync-order annotations of an object with these labels: its broker
  // group's, else its component's (plan.Sync). Without any (the plan has them only when the spec
  // syncs with Argo CD) there is nothing to look up.
  syncAnnotations(p, labels)::
    if p.sync.groups == {} && p.sync.components == {} then {}
    else if std.objectHasEx(labels, 'rocketops.dev/broker-group', false) then std.get(p.sync.groups, labels['rocketops.dev/broker-group'], {})
    else std.get(p.sync.components, std.get(labels, 'app.kubernetes.io/component', ''), {}),

  // Object metadata: name, namespace, the plan's labels plus extra ones, and the plan's annotations,
  // the object's sync annotations and extra ones (no field when there are none).
  metadata(p, name, extraLabels={}, annotations={})::
    local labels = p.labels + extraLabels, all = p.annotations + $.syncAnnotations(p, labels) + annotations;
    {
      name: name,
      namespace: p.namespace,
      labels: labels,
      [if all != {} then 'annotations']: all,
    },

  // clusterMetadata is the metadata of a cluster-scoped object: no namespace, and the label naming the
  // namespace whose cluster it belongs to, since cluster names repeat across namespaces.
  clusterMetadata(p, name, extraLabels={}, annotations={})::
    local labels = p.labels + extraLabels + { 'rocketops.dev/namespace': p.namespace },
          all = p.annotations + $.syncAnnotations(p, labels) + annotations;
    {
      name: name,
      labels: labels,
      [if all != {} then 'annotations']: all,
    },

  // container is a plan pod's one container, its resources without empty requests or limits.
  container(c)::
    local r = c.resources;
    {
      name: c.name,
      image: c.image,
      imagePullPolicy: c.pullPolicy,
      [if c.command != [] then 'command']: c.command,
      env: c.env,
      ports: c.ports,
      resources: {
        [if r.requests != {} then 'requests']: r.requests,
        [if r.limits != {} then 'limits']: r.limits,
      },
      securityContext: c.securityContext,
      volumeMounts: c.volumeMounts,
      startupProbe: c.startupProbe,
      readinessProbe: c.readinessProbe,
      livenessProbe: c.livenessProbe,
    },

  // podTemplate is the pod template of a workload.
  podTemplate(pod)::
    // hostNetwork is in the plan only when true.
    local hostNetwork = std.objectHasEx(pod, 'hostNetwork', false);
    {
      metadata: {
        labels: pod.labels,
        [if pod.annotations != {} then 'annotations']: pod.annotations,
      },
      spec: {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: pod.securityContext,
        terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
        // Host networking: the pods resolve cluster names through the cluster's DNS still.
        [if hostNetwork then 'hostNetwork']: true,
        [if hostNetwork then 'dnsPolicy']: 'ClusterFirstWithHostNet',
        [if pod.pullSecrets != [] then 'imagePullSecrets']: [{ name: s } for s in pod.pullSecrets],
        [if pod.nodeSelector != {} then 'nodeSelector']: pod.nodeSelector,
        [if pod.tolerations != [] then 'tolerations']: pod.tolerations,
        [if pod.affinity != {} then 'affinity']: pod.affinity,
        [if std.objectHasEx(pod, 'topologySpreadConstraints', false) then 'topologySpreadConstraints']: pod.topologySpreadConstraints,
        [if std.objectHasEx(pod, 'priorityClassName', false) then 'priorityClassName']: pod.priorityClassName,
        [if pod.initContainers != [] then 'initContainers']: pod.initContainers,
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
      [if std.objectHasEx(v, 'storageClass', false) then 'storageClassName']: v.storageClass,
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

  // statefulSet runs a pod template, with a claim template (its own claim per pod) for each volume of
  // the persistentVolumeClaim or local mode. A rolling update replaces one pod at a time, highest
  // ordinal first, each after the one before is ready; Parallel only lets pods start and stop together
  // when the StatefulSet is scaled.
  statefulSet(p, name, labels, serviceName, replicas, pod, volume, extra=[])::
    local claims = [
      $.claimTemplate(v, pod.selectorLabels)
      for v in [volume] + extra
      if v.mode == 'persistentVolumeClaim' || v.mode == 'local'
    ];
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
        [if claims != [] then 'volumeClaimTemplates']: claims,
      },
    },
}
