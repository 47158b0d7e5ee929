// The name servers: a ConfigMap, a headless Service for stable pod DNS names, a client Service, a
// PodDisruptionBudget and a StatefulSet.
local k = import 'k.libsonnet';

function(p)
  local n = p.nameServer;
  local labels = { 'app.kubernetes.io/component': 'namesrv' };
  local ports = [{ name: 'namesrv', port: n.port, targetPort: 'namesrv', protocol: 'TCP' }];
  local container = {
    name: 'namesrv',
    image: n.pod.image,
    imagePullPolicy: n.pod.pullPolicy,
    command: ['/bin/sh', '-c', 'exec "$ROCKETMQ_HOME/bin/mqnamesrv" -c /etc/rocketmq/' + n.configFile],
    env: [{ name: 'JAVA_OPT_EXT', value: n.pod.javaOptions }],
    ports: [{ name: 'namesrv', containerPort: n.port, protocol: 'TCP' }],
    resources: k.resources(n.pod.resources),
    securityContext: k.containerSecurityContext,
    volumeMounts: [
      { name: 'config', mountPath: '/etc/rocketmq', readOnly: true },
      { name: n.volume.name, mountPath: n.volume.mountPath },
    ],
  } + k.tcpProbes('namesrv', 120);
  [
    k.configMap(p, n.configMap, labels, n.configFile, n.config),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: k.metadata(p, n.headlessService, labels),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: n.pod.selectorLabels, ports: ports },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: k.metadata(p, n.service, labels),
      spec: { type: 'ClusterIP', selector: n.pod.selectorLabels, ports: ports },
    },
    k.pdb(p, n.statefulSet, labels, n.pod.selectorLabels),
    k.statefulSet(p, n.statefulSet, labels, n.headlessService, n.replicas, n.pod, n.volume,
                  [container],
                  if n.volume.mode == 'hostPath' then [k.volumePermissions(n.pod.image, n.pod.pullPolicy, n.volume)] else [],
                  [{ name: 'config', configMap: { name: n.configMap } }]),
  ]
