// The console (rocketmq-dashboard): a Deployment, a Service and a PodDisruptionBudget.
local k = import 'k.libsonnet';

function(p)
  if !std.objectHas(p, 'console') then [] else
    local c = p.console;
    local labels = { 'app.kubernetes.io/component': 'console' };
    local container = {
      name: 'console',
      image: c.pod.image,
      imagePullPolicy: c.pod.pullPolicy,
      // The image's own entrypoint puts fixed heap flags after JAVA_OPTS; start java directly so
      // the planned sizes win.
      command: ['/bin/sh', '-c', 'exec java $JAVA_OPTS -jar /rocketmq-dashboard.jar'],
      env: [{ name: 'JAVA_OPTS', value: c.pod.javaOptions }],
      ports: [{ name: 'http', containerPort: c.port, protocol: 'TCP' }],
      resources: k.resources(c.pod.resources),
      securityContext: k.containerSecurityContext,
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    } + k.tcpProbes('http', 120);
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
          template: {
            metadata: { labels: c.pod.labels },
            spec: k.podSpec(c.pod) + {
              containers: [container],
              volumes: [{ name: 'tmp', emptyDir: {} }],
            },
          },
        },
      },
    ]
