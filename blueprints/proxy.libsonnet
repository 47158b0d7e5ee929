// The RocketMQ 5.x proxy: its rmq-proxy.json, the client Service and, in cluster mode, a Deployment with
// a PodDisruptionBudget. In local mode the proxies run inside the brokers and the Service selects them.
local k = import 'k.libsonnet';

function(p)
  if !std.objectHas(p, 'proxy') then [] else
    local x = p.proxy;
    local s = x.service;
    local labels = { 'app.kubernetes.io/component': 'proxy' };
    local port(name, number, nodePort) = {
      name: name,
      port: number,
      targetPort: name,
      protocol: 'TCP',
      [if nodePort != 0 then 'nodePort']: nodePort,
    };
    local nodePort(f) = if std.objectHas(s, f) then s[f] else 0;
    [
      k.configMap(p, x.configMap, labels, { [x.configFile]: x.config }),
      k.service(p, s.name, labels, s.type, s.selector,
                [port('grpc', s.grpcPort, nodePort('grpcNodePort'))]
                + (if k.has(s, 'remotingPort') then [port('remoting', s.remotingPort, nodePort('remotingNodePort'))] else []), {
                  [if std.objectHas(s, 'externalTrafficPolicy') then 'externalTrafficPolicy']: s.externalTrafficPolicy,
                  [if std.objectHas(s, 'loadBalancerSourceRanges') then 'loadBalancerSourceRanges']: s.loadBalancerSourceRanges,
                }, s.annotations),
    ] + (if x.mode != 'cluster' then [] else [
           k.pdb(p, x.pdb, labels, x.pod.selectorLabels),
           {
             apiVersion: 'apps/v1',
             kind: 'Deployment',
             metadata: k.metadata(p, x.deployment, labels, std.get(x, 'annotations', {})),
             spec: {
               replicas: x.replicas,
               selector: { matchLabels: x.pod.selectorLabels },
               template: k.podTemplate(x.pod),
             },
           },
         ])
