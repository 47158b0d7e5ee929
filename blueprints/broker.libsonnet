// The brokers: one headless Service for all of them; per group a PodDisruptionBudget; per member a
// ConfigMap with its broker.conf and a StatefulSet of one pod.
local k = import 'k.libsonnet';

// The broker guesses its address when brokerIP1 is unset, and guesses wrong on multi-NIC pods; the
// pod IP is only known at start, so it is appended to a copy of the generated file.
local start(file) = |||
  set -e
  conf=/home/rocketmq/run/%(file)s
  cp /etc/rocketmq/%(file)s "$conf"
  printf 'brokerIP1=%%s\nbrokerIP2=%%s\n' "$POD_IP" "$POD_IP" >> "$conf"
  exec "$ROCKETMQ_HOME/bin/mqbroker" -c "$conf"
||| % { file: file };

function(p)
  local b = p.brokers;
  local labels = { 'app.kubernetes.io/component': 'broker' };
  local ports = [
    { name: 'broker', port: b.ports.listen, targetPort: 'broker', protocol: 'TCP' },
    { name: 'fast', port: b.ports.fast, targetPort: 'fast', protocol: 'TCP' },
    { name: 'ha', port: b.ports.ha, targetPort: 'ha', protocol: 'TCP' },
  ];
  local member(g, m) =
    local mlabels = labels + { 'rocketops.dev/broker-group': g.name };
    local container = {
      name: 'broker',
      image: m.pod.image,
      imagePullPolicy: m.pod.pullPolicy,
      command: ['/bin/sh', '-c', start(m.configFile)],
      env: [
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'JAVA_OPT_EXT', value: m.pod.javaOptions },
      ],
      ports: [
        { name: 'broker', containerPort: b.ports.listen, protocol: 'TCP' },
        { name: 'fast', containerPort: b.ports.fast, protocol: 'TCP' },
        { name: 'ha', containerPort: b.ports.ha, protocol: 'TCP' },
      ],
      resources: k.resources(m.pod.resources),
      securityContext: k.containerSecurityContext,
      volumeMounts: [
        { name: 'config', mountPath: '/etc/rocketmq', readOnly: true },
        { name: 'run', mountPath: '/home/rocketmq/run' },
        { name: m.volume.name, mountPath: m.volume.mountPath },
      ],
    } + k.tcpProbes('broker', 300);
    [
      k.configMap(p, m.configMap, mlabels, m.configFile, m.config),
      k.statefulSet(p, m.name, mlabels, b.headlessService, 1, m.pod, m.volume,
                    [container],
                    if m.volume.mode == 'hostPath' then [k.volumePermissions(m.pod.image, m.pod.pullPolicy, m.volume)] else [],
                    [
                      { name: 'config', configMap: { name: m.configMap } },
                      { name: 'run', emptyDir: {} },
                    ]),
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
  ] + std.flattenArrays([
    [k.pdb(p, g.pdb, labels + { 'rocketops.dev/broker-group': g.name }, g.selectorLabels)]
    + std.flattenArrays([member(g, m) for m in g.members])
    for g in b.groups
  ])
