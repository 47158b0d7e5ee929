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

{{/* metadata: name, namespace, the cluster's labels plus extra ones, the cluster's annotations. */}}
{{- define "rocketmq.metadata" -}}
name: {{ .name }}
namespace: {{ .root.Values.namespace }}
labels:
  {{- toYaml (merge (dict) .extra .root.Values.labels) | nindent 2 }}
{{- with .root.Values.annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "rocketmq.podSecurityContext" -}}
fsGroup: 3000
fsGroupChangePolicy: OnRootMismatch
runAsGroup: 3000
runAsNonRoot: true
runAsUser: 3000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "rocketmq.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
  - ALL
runAsGroup: 3000
runAsNonRoot: true
runAsUser: 3000
{{- end -}}

{{/* tcpProbes: a startup window of .seconds, then readiness and liveness, on the named .port. */}}
{{- define "rocketmq.tcpProbes" -}}
startupProbe:
  tcpSocket:
    port: {{ .port }}
  periodSeconds: 5
  failureThreshold: {{ div .seconds 5 }}
readinessProbe:
  tcpSocket:
    port: {{ .port }}
  periodSeconds: 10
  failureThreshold: 3
livenessProbe:
  tcpSocket:
    port: {{ .port }}
  periodSeconds: 20
  failureThreshold: 6
{{- end -}}

{{/* podSpec: the part of a pod spec every workload shares; . is a plan Pod. */}}
{{- define "rocketmq.podSpec" -}}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "rocketmq.podSecurityContext" . | nindent 2 }}
terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds }}
{{- with .pullSecrets }}
imagePullSecrets:
{{- range . }}
- name: {{ . }}
{{- end }}
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
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

{{/* podVolume: a pod volume for a plan volume that is not a claim template. */}}
{{- define "rocketmq.podVolume" -}}
- name: {{ .name }}
{{- if eq .mode "hostPath" }}
  hostPath:
    path: {{ .hostPath }}
    type: DirectoryOrCreate
{{- else if not (or .medium .size) }}
  emptyDir: {}
{{- else }}
  emptyDir:
    {{- if .medium }}
    medium: {{ .medium }}
    {{- end }}
    {{- if .size }}
    sizeLimit: {{ .size }}
    {{- end }}
{{- end }}
{{- end -}}

{{/* claimTemplate: . is dict "volume" "labels". */}}
{{- define "rocketmq.claimTemplate" -}}
- metadata:
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
{{- end -}}

{{/* hostPath folders are created by the kubelet as root; this makes them the RocketMQ user's. */}}
{{- define "rocketmq.volumePermissions" -}}
- name: volume-permissions
  image: {{ .pod.image }}
  imagePullPolicy: {{ .pod.pullPolicy }}
  command: [chown, "3000:3000", {{ .volume.mountPath | quote }}]
  securityContext:
    allowPrivilegeEscalation: false
    capabilities:
      drop:
      - ALL
      add:
      - CHOWN
    runAsNonRoot: false
    runAsUser: 0
  volumeMounts:
  - name: {{ .volume.name }}
    mountPath: {{ .volume.mountPath }}
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

{{/* configMap: . is dict "root" "name" "labels" "file" "text". */}}
{{- define "rocketmq.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "rocketmq.metadata" (dict "root" .root "name" .name "extra" .labels) | nindent 2 }}
data:
  {{ .file }}: {{ .text | quote }}
{{- end -}}

{{/* statefulSet: . is dict "root" "name" "labels" "serviceName" "replicas" "pod" "volume" "containers" (YAML text) "initContainers" (YAML text) "volumes" (YAML text). */}}
{{- define "rocketmq.statefulSet" -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  {{- include "rocketmq.metadata" (dict "root" .root "name" .name "extra" .labels) | nindent 2 }}
spec:
  serviceName: {{ .serviceName }}
  replicas: {{ .replicas }}
  podManagementPolicy: Parallel
  selector:
    matchLabels:
      {{- toYaml .pod.selectorLabels | nindent 6 }}
  updateStrategy:
    type: RollingUpdate
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  template:
    metadata:
      labels:
        {{- toYaml .pod.labels | nindent 8 }}
      {{- with .pod.annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "rocketmq.podSpec" .pod | nindent 6 }}
      {{- if .initContainers }}
      initContainers:
        {{- .initContainers | nindent 8 }}
      {{- end }}
      containers:
        {{- .containers | nindent 8 }}
      volumes:
        {{- .volumes | nindent 8 }}
        {{- if ne .volume.mode "persistentVolumeClaim" }}
        {{- include "rocketmq.podVolume" .volume | nindent 8 }}
        {{- end }}
  {{- if eq .volume.mode "persistentVolumeClaim" }}
  volumeClaimTemplates:
    {{- include "rocketmq.claimTemplate" (dict "volume" .volume "labels" .pod.selectorLabels) | nindent 4 }}
  {{- end }}
{{- end -}}
