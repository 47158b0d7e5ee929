// The name servers: a ConfigMap, a headless Service for stable pod DNS names, a client Service, a
// PodDisruptionBudget and a StatefulSet.
local k = import 'k.libsonnet';

function(p)
  local n = p.nameServer;
  local labels = { 'app.kubernetes.io/component': 'namesrv' };
  local ports = [{ name: 'namesrv', port: n.port, targetPort: 'namesrv', protocol: 'TCP' }];
  [
    k.configMap(p, n.configMap, labels, { [n.configFile]: n.config }),
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
    k.statefulSet(p, n.statefulSet, labels, n.headlessService, n.replicas, n.pod, n.volume) + {
      metadata+: { annotations+: n.annotations },
    },
  ]
