// The standalone controllers of controller mode: a ConfigMap with a file per controller, a headless
// Service for their stable DNS names (brokers and peers address each one by it), a PodDisruptionBudget
// that keeps a majority up, and a StatefulSet.
local k = import 'k.libsonnet';

function(p)
  if !std.objectHas(p, 'controller') then [] else
    local c = p.controller;
    local labels = { 'app.kubernetes.io/component': 'controller' };
    local ports = [{ name: 'controller', port: c.port, targetPort: 'controller', protocol: 'TCP' }]
                  + (if k.has(c, 'raftPort') then [{ name: 'raft', port: c.raftPort, targetPort: 'raft', protocol: 'TCP' }] else []);
    [
      k.configMap(p, c.configMap, labels, c.files),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: k.metadata(p, c.headlessService, labels),
        spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: c.pod.selectorLabels, ports: ports },
      },
      k.pdb(p, c.pdb, labels, c.pod.selectorLabels),
      k.statefulSet(p, c.statefulSet, labels, c.headlessService, c.replicas, c.pod, c.volume) + {
        metadata+: { annotations+: c.annotations },
      },
    ]
