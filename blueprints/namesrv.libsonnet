// The name servers: a ConfigMap, a headless Service for stable pod DNS names, a client Service, a
// PodDisruptionBudget and a StatefulSet.
local k = import 'k.libsonnet';

function(p)
  local n = p.nameServer;
  local labels = { 'app.kubernetes.io/component': 'namesrv' };
  local ports = [{ name: 'namesrv', port: n.port, targetPort: 'namesrv', protocol: 'TCP' }];
  // Embedded controllers: a file per name server, and the controllers' port on the headless Service
  // (brokers and the other controllers reach each one by its stable name).
  local controller = if k.has(n, 'controllerPort') then
    [{ name: 'controller', port: n.controllerPort, targetPort: 'controller', protocol: 'TCP' }]
    + (if k.has(n, 'raftPort') then [{ name: 'raft', port: n.raftPort, targetPort: 'raft', protocol: 'TCP' }] else [])
  else [];
  [
    k.configMap(p, n.configMap, labels, if std.objectHas(n, 'files') then n.files else { [n.configFile]: n.config }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: k.metadata(p, n.headlessService, labels),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: n.pod.selectorLabels, ports: ports + controller },
    },
    k.service(p, n.service, labels, 'ClusterIP', n.pod.selectorLabels, ports),
    k.pdb(p, n.statefulSet, labels, n.pod.selectorLabels),
    k.statefulSet(p, n.statefulSet, labels, n.headlessService, n.replicas, n.pod, n.volume) + {
      metadata+: { annotations+: n.annotations },
    },
  ]
