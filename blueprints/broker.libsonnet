// The brokers: one headless Service for all of them; per group a ConfigMap with one file per member, a
// PodDisruptionBudget and a StatefulSet whose pod ordinal is the member's brokerId.
local k = import 'k.libsonnet';

function(p)
  local b = p.brokers;
  local labels = { 'app.kubernetes.io/component': 'broker' };
  local port(name, number) = { name: name, port: number, targetPort: name, protocol: 'TCP' };
  // DLedger groups replicate over their DLedger port instead of the HA port; a local-mode proxy adds its
  // two endpoints.
  local ports = [port('broker', b.ports.listen), port('fast', b.ports.fast)]
                + (if k.has(b.ports, 'dledger') then [port('dledger', b.ports.dledger)] else [port('ha', b.ports.ha)])
                + (if k.has(b.ports, 'grpc') then [port('grpc', b.ports.grpc)] else [])
                + (if k.has(b.ports, 'remoting') then [port('remoting', b.ports.remoting)] else []);
  local group(g) =
    local glabels = { 'app.kubernetes.io/component': 'broker', 'rocketops.dev/broker-group': g.name };
    [
      k.configMap(p, g.configMap, glabels, g.files),
      k.pdb(p, g.pdb, glabels, g.selectorLabels),
      k.statefulSet(p, g.statefulSet, glabels, b.headlessService, g.replicas, g.pod, g.volume,
                    if std.objectHasEx(g, 'commitLog', false) then [g.commitLog] else []),
    ];
  [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: k.metadata(p, b.headlessService, labels),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: {
          'app.kubernetes.io/name': 'rocketmq',
          'app.kubernetes.io/instance': p.name,
          'app.kubernetes.io/component': 'broker',
        },
        ports: ports,
      },
    },
  ] + std.flatMap(group, b.groups)
