package validate_test

import (
	"testing"
)

// TestKubernetesObjects: tolerations and affinity are checked as the API server checks them, each
// problem at the field it is in.
func TestKubernetesObjects(t *testing.T) {
	const tol = "  brokers:\n    placement:\n      tolerations:\n"
	const na = "  brokers:\n    placement:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n"
	const naPtr = "/spec/brokers/placement/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms"
	const pa = "  brokers:\n    placement:\n      affinity:\n        podAntiAffinity:\n"
	const paPtr = "/spec/brokers/placement/affinity/podAntiAffinity"
	tests := []struct {
		name string
		body string
		want []finding
	}{
		{name: "an unknown toleration field is named where it is, with the nearest field",
			body: tol + "        - {key: a, operatr: Exists}\n",
			want: []finding{{pos: "10:20", pointer: "/spec/brokers/placement/tolerations/0/operatr", message: `unknown field "operatr"`, hint: `did you mean "operator"?`}}},
		{name: "a toleration without a key must use Exists",
			body: tol + "        - {operator: Equal, value: x}\n",
			want: []finding{{pos: "10:11", pointer: "/spec/brokers/placement/tolerations/0", message: "a toleration without a key must use operator Exists"}}},
		{name: "tolerationSeconds needs NoExecute",
			body: tol + "        - {key: a, operator: Exists, effect: NoSchedule, tolerationSeconds: 30}\n",
			want: []finding{{pos: "10:58", pointer: "/spec/brokers/placement/tolerations/0/tolerationSeconds", message: "tolerationSeconds only applies to effect NoExecute"}}},
		{name: "a toleration key with a space",
			body: tol + "        - {key: \"my key\", operator: Exists}\n",
			want: []finding{{pos: "10:17", pointer: "/spec/brokers/placement/tolerations/0/key",
				message: `toleration key "my key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`}}},
		{name: "operator in lower case",
			body: na + "              - matchExpressions: [{key: zone, operator: in, values: [a]}]\n",
			want: []finding{{pos: "13:58", pointer: naPtr + "/0/matchExpressions/0/operator", message: `operator must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, got "in"`, hint: `did you mean "In"?`}}},
		{name: "In without values",
			body: na + "              - matchExpressions: [{key: zone, operator: In}]\n",
			want: []finding{{pos: "13:58", pointer: naPtr + "/0/matchExpressions/0/operator", message: "operator In needs at least one value"}}},
		{name: "Exists with values",
			body: na + "              - matchExpressions: [{key: zone, operator: Exists, values: [a]}]\n",
			want: []finding{{pos: "13:66", pointer: naPtr + "/0/matchExpressions/0/values", message: "operator Exists takes no values"}}},
		{name: "Gt with a word",
			body: na + "              - matchExpressions: [{key: cpus, operator: Gt, values: [many]}]\n",
			want: []finding{{pos: "13:71", pointer: naPtr + "/0/matchExpressions/0/values/0", message: `operator Gt compares with a whole number, got "many"`}}},
		{name: "an empty term",
			body: na + "              - {}\n",
			want: []finding{{pos: "13:17", pointer: naPtr + "/0", message: "a node selector term must have matchExpressions or matchFields"}}},
		{name: "no terms",
			body: na + "              []\n",
			want: []finding{{pos: "11:11", pointer: "/spec/brokers/placement/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution", message: "nodeSelectorTerms must have at least one term"}}},
		{name: "a pod affinity term without a topologyKey",
			body: pa + "          requiredDuringSchedulingIgnoredDuringExecution:\n            - labelSelector: {matchLabels: {app: x}}\n",
			want: []finding{{pos: "12:15", pointer: paPtr + "/requiredDuringSchedulingIgnoredDuringExecution/0", message: "a pod affinity term needs a topologyKey"}}},
		{name: "a weight out of range",
			body: pa + "          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 0\n              podAffinityTerm: {topologyKey: kubernetes.io/hostname}\n",
			want: []finding{{pos: "12:23", pointer: paPtr + "/preferredDuringSchedulingIgnoredDuringExecution/0/weight", message: "weight must be 1 to 100, got 0"}}},
		{name: "a label selector operator",
			body: pa + "          requiredDuringSchedulingIgnoredDuringExecution:\n            - topologyKey: kubernetes.io/hostname\n              labelSelector: {matchExpressions: [{key: app, operator: Gt, values: [\"1\"]}]}\n",
			want: []finding{{pos: "13:71", pointer: paPtr + "/requiredDuringSchedulingIgnoredDuringExecution/0/labelSelector/matchExpressions/0/operator", message: `operator must be one of In, NotIn, Exists, DoesNotExist, got "Gt"`}}},
		{name: "valid objects pass",
			body: tol + "        - {key: dedicated, operator: Equal, value: rocketmq, effect: NoSchedule}\n        - {operator: Exists}\n      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 50\n              preference: {matchExpressions: [{key: cpus, operator: Gt, values: [\"8\"]}]}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, doc("5.3.3", "", tc.body), tc.want)
		})
	}
}
