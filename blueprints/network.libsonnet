// One NetworkPolicy per component, admitting the traffic the plan lists.
local k = import 'k.libsonnet';

function(p)
  [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: k.metadata(p, np.name, { 'app.kubernetes.io/component': np.component }),
      spec: {
        podSelector: { matchLabels: np.podSelector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: np.ingress,
        egress: np.egress,
      },
    }
    for np in p.networkPolicies
  ]
