// The console (rocketmq-dashboard): a Deployment, a Service and a PodDisruptionBudget.
local k = import 'k.libsonnet';

function(p)
  if !std.objectHas(p, 'console') then [] else
    local c = p.console;
    local labels = { 'app.kubernetes.io/component': 'console' };
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: k.metadata(p, c.service.name, labels),
        spec: {
          type: c.service.type,
          selector: c.pod.selectorLabels,
          ports: [{
            name: 'http',
            port: c.service.port,
            targetPort: 'http',
            protocol: 'TCP',
            [if std.objectHas(c.service, 'nodePort') then 'nodePort']: c.service.nodePort,
          }],
        },
      },
      k.pdb(p, c.deployment, labels, c.pod.selectorLabels),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: k.metadata(p, c.deployment, labels),
        spec: {
          replicas: c.replicas,
          selector: { matchLabels: c.pod.selectorLabels },
          template: k.podTemplate(c.pod),
        },
      },
    ]
