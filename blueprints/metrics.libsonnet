// Metrics for an external Prometheus: a headless Service over every pod with a port named metrics, the
// rocketmq-exporter where it is deployed, the PodMonitor or ServiceMonitor that has the Prometheus
// Operator scrape them, and the PrometheusRule with the cluster's alerts.
local k = import 'k.libsonnet';

function(p)
  if !std.objectHas(p, 'metrics') then [] else
    local m = p.metrics;
    local labels = { 'app.kubernetes.io/component': 'metrics' };
    local endpoint = { port: 'metrics', path: m.path, interval: '30s' };
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: k.metadata(p, m.service, labels),
        spec: {
          clusterIP: 'None',
          selector: m.selector,
          ports: [{ name: 'metrics', port: m.port, targetPort: 'metrics', protocol: 'TCP' }],
        },
      },
    ] + (if !std.objectHas(m, 'exporter') then [] else
           local e = m.exporter;
           local elabels = { 'app.kubernetes.io/component': 'exporter' };
           [
             k.pdb(p, e.deployment, elabels, e.pod.selectorLabels),
             {
               apiVersion: 'apps/v1',
               kind: 'Deployment',
               metadata: k.metadata(p, e.deployment, elabels),
               spec: {
                 replicas: 1,
                 selector: { matchLabels: e.pod.selectorLabels },
                 template: k.podTemplate(e.pod),
               },
             },
           ])
    + (if m.monitor == 'PodMonitor' then [{
         apiVersion: 'monitoring.coreos.com/v1',
         kind: 'PodMonitor',
         metadata: k.metadata(p, m.service, labels),
         spec: { selector: { matchLabels: m.selector }, podMetricsEndpoints: [endpoint] },
       }] else if m.monitor == 'ServiceMonitor' then [{
         apiVersion: 'monitoring.coreos.com/v1',
         kind: 'ServiceMonitor',
         metadata: k.metadata(p, m.service, labels),
         spec: {
           selector: { matchLabels: m.selector + labels },
           endpoints: [endpoint],
         },
       }] else [])
    + (if !std.objectHas(m, 'rules') then [] else [{
         apiVersion: 'monitoring.coreos.com/v1',
         kind: 'PrometheusRule',
         metadata: k.metadata(p, m.rules.name, labels + m.rules.labels),
         spec: { groups: m.rules.groups },
       }])
