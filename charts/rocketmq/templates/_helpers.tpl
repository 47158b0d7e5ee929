{{/*
The chart places what the values say and decides nothing: every name, address, configuration file and
placement rule was resolved by `rocketops compile --target helm`. These helpers are the chart's copy of
blueprints/k.libsonnet; the parity tests keep the two identical.
*/}}

{{/* The values resolve DNS names inside one namespace; installing elsewhere would break them. */}}
{{- define "rocketmq.checkNamespace" -}}
{{- if ne .Release.Namespace .Values.namespace -}}
{{- fail (printf "these values were compiled for namespace %q, but the release namespace is %q: install with --namespace %s, or compile the spec for this namespace" .Values.namespace .Release.Namespace .Values.namespace) -}}
{{- end -}}
{{- end -}}

{{/* stageOf: the sync stage of an object with these labels (plan.StageOf): its broker group's, access
for the brokers' clients and the monitors, cluster for everything else. */}}
{{- define "rocketmq.stageOf" -}}
{{- $group := index . "rocketops.dev/broker-group" -}}
{{- if $group -}}groups/{{ $group }}
{{- else if has (index . "app.kubernetes.io/component" | default "") (list "proxy" "console" "exporter" "metrics") -}}access
{{- else -}}cluster
{{- end -}}
{{- end -}}

{{/* inStage: "true" when objects of .stage are rendered: all are without the stage value, which a
HelmRelease per stage sets. */}}
{{- define "rocketmq.inStage" -}}
{{- if or (not .root.Values.stage) (eq .root.Values.stage .stage) -}}true{{- end -}}
{{- end -}}

{{/* syncAnnotations: the sync-order annotations of an object with .labels: its broker group's, else
its component's (values.sync). */}}
{{- define "rocketmq.syncAnnotations" -}}
{{- $group := index .labels "rocketops.dev/broker-group" -}}
{{- if $group -}}
{{- toYaml (index .root.Values.sync.groups $group | default (dict)) -}}
{{- else -}}
{{- toYaml (index .root.Values.sync.components (index .labels "app.kubernetes.io/component" | default "") | default (dict)) -}}
{{- end -}}
{{- end -}}

{{/* objectMetadata: name, the cluster's labels plus .extra ones, the cluster's annotations, the
object's sync annotations and .annotations. */}}
{{- define "rocketmq.objectMetadata" -}}
{{- $labels := merge (dict) .extra .root.Values.labels }}
name: {{ .name }}
labels:
  {{- toYaml $labels | nindent 2 }}
{{- $sync := include "rocketmq.syncAnnotations" (dict "root" .root "labels" $labels) | fromYaml }}
{{- with (merge (dict) (.annotations | default (dict)) $sync .root.Values.annotations) }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* clusterMetadata: the metadata of a cluster-scoped object: no namespace, and the label naming the
namespace whose cluster it belongs to, since cluster names repeat across namespaces. */}}
{{- define "rocketmq.clusterMetadata" -}}
{{ include "rocketmq.objectMetadata" (merge (dict "extra" (merge (dict "rocketops.dev/namespace" .root.Values.namespace) (.extra | default (dict)))) .) }}
{{- end -}}

{{/* metadata: objectMetadata and the namespace. */}}
{{- define "rocketmq.metadata" -}}
{{ include "rocketmq.objectMetadata" . }}
namespace: {{ .root.Values.namespace | quote }}
{{- end -}}

{{/* container: a plan pod's one container. */}}
{{- define "rocketmq.container" -}}
- name: {{ .name }}
  image: {{ .image }}
  imagePullPolicy: {{ .pullPolicy }}
  {{- with .command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  env:
    {{- toYaml .env | nindent 4 }}
  ports:
    {{- toYaml .ports | nindent 4 }}
  resources:
    {{- include "rocketmq.resources" .resources | nindent 4 }}
  securityContext:
    {{- toYaml .securityContext | nindent 4 }}
  volumeMounts:
    {{- toYaml .volumeMounts | nindent 4 }}
  startupProbe:
    {{- toYaml .startupProbe | nindent 4 }}
  readinessProbe:
    {{- toYaml .readinessProbe | nindent 4 }}
  livenessProbe:
    {{- toYaml .livenessProbe | nindent 4 }}
{{- end -}}

{{/* podTemplate: the pod template of a workload; . is a plan Pod. */}}
{{- define "rocketmq.podTemplate" -}}
metadata:
  labels:
    {{- toYaml .labels | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  automountServiceAccountToken: false
  enableServiceLinks: false
  securityContext:
    {{- toYaml .securityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds }}
  {{- if .hostNetwork }}
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  {{- with .pullSecrets }}
  imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
  {{- end }}
  {{- with .nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with .initContainers }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    {{- include "rocketmq.container" .container | nindent 4 }}
  volumes:
    {{- toYaml .volumes | nindent 4 }}
{{- end -}}

{{- define "rocketmq.resources" -}}
{{- with .requests }}
requests:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .limits }}
limits:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* claimTemplate: . is dict "volume" "labels". */}}
{{- define "rocketmq.claimTemplate" -}}
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: {{ .volume.name }}
    labels:
      {{- toYaml .labels | nindent 6 }}
  spec:
    accessModes:
      {{- toYaml .volume.accessModes | nindent 6 }}
    {{- if hasKey .volume "storageClass" }}
    storageClassName: {{ .volume.storageClass | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ .volume.size }}
    volumeMode: Filesystem
{{- end -}}

{{/* pdb: . is dict "root" "name" "labels" "selector". */}}
{{- define "rocketmq.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "rocketmq.metadata" (dict "root" .root "name" .name "extra" .labels) | nindent 2 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- toYaml .selector | nindent 6 }}
{{- end -}}

{{/* configMap: . is dict "root" "name" "labels" "files". */}}
{{- define "rocketmq.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "rocketmq.metadata" (dict "root" .root "name" .name "extra" .labels) | nindent 2 }}
data:
  {{- range $file, $text := .files }}
  {{ $file }}: {{ $text | quote }}
  {{- end }}
{{- end -}}

{{/* statefulSet: . is dict "root" "name" "labels" ("annotations") "serviceName" "replicas" "pod" "volume" ("extra": more
volumes, each with a claim template when it is claimed). A rolling update
replaces one pod at a time, highest ordinal first; Parallel only applies to scaling. */}}
{{- define "rocketmq.statefulSet" -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  {{- include "rocketmq.metadata" (dict "root" .root "name" .name "extra" .labels "annotations" .annotations) | nindent 2 }}
spec:
  serviceName: {{ .serviceName }}
  replicas: {{ .replicas }}
  podManagementPolicy: Parallel
  selector:
    matchLabels:
      {{- toYaml .pod.selectorLabels | nindent 6 }}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      partition: 0
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  template:
    {{- include "rocketmq.podTemplate" .pod | nindent 4 }}
  {{- $claimed := list }}
  {{- range $v := prepend (.extra | default list) .volume }}
  {{- if or (eq $v.mode "persistentVolumeClaim") (eq $v.mode "local") }}
  {{- $claimed = append $claimed $v }}
  {{- end }}
  {{- end }}
  {{- with $claimed }}
  volumeClaimTemplates:
  {{- range $v := . }}
    {{- include "rocketmq.claimTemplate" (dict "volume" $v "labels" $.pod.selectorLabels) | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end -}}
