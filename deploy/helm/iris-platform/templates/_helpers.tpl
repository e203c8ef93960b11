{{/* Names, labels and the values every template derives from. */}}

{{- define "iris.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "iris.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "iris.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "iris.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "iris.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "iris.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: iris-platform
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "component" "gateway"). */}}
{{- define "iris.selectorLabels" -}}
app.kubernetes.io/name: {{ include "iris.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "iris.componentName" -}}
{{- printf "%s-%s" (include "iris.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The four services: component name, values key, port. */}}
{{- define "iris.services" -}}
gateway: {key: gateway, port: 3000}
inference-worker: {key: inferenceWorker, port: 3001}
trainer: {key: trainer, port: 3002}
monitor: {key: monitor, port: 3003}
{{- end -}}

{{/* Topics, their partitions and compaction, and the worker group: generated from libs/contracts. */}}
{{- define "iris.contracts" -}}
{{- .Files.Get "files/topics.yaml" -}}
{{- end -}}

{{- define "iris.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "iris.configMapName" -}}
{{- printf "%s-config" (include "iris.fullname" .) -}}
{{- end -}}

{{- define "iris.secretName" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "iris.fullname" .) -}}
{{- else -}}
{{- required "secrets.existingSecret is required when secrets.create is false" .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Bootstrap servers: the example Strimzi cluster's, or kafka.brokers. */}}
{{- define "iris.kafkaBrokers" -}}
{{- if .Values.strimzi.enabled -}}
{{- printf "%s-kafka-bootstrap:%d" .Values.strimzi.clusterName (ternary 9093 9092 .Values.strimzi.tls | int) -}}
{{- else -}}
{{- required "kafka.brokers is required unless strimzi.enabled" .Values.kafka.brokers -}}
{{- end -}}
{{- end -}}

{{/* SASL mechanism in ENV_SCHEMA's spelling, or empty: Strimzi's KafkaUser is SCRAM-SHA-512. */}}
{{- define "iris.kafkaSaslMechanism" -}}
{{- if .Values.strimzi.enabled -}}
{{- ternary "scram-sha-512" "" .Values.strimzi.user.enabled -}}
{{- else -}}
{{- .Values.kafka.sasl.mechanism -}}
{{- end -}}
{{- end -}}

{{- define "iris.kafkaTls" -}}
{{- if .Values.strimzi.enabled -}}{{ .Values.strimzi.tls }}{{- else -}}{{ .Values.kafka.tls.enabled }}{{- end -}}
{{- end -}}

{{/* Secret and key with the CA of the brokers' certificates, or empty. */}}
{{- define "iris.kafkaCaSecret" -}}
{{- if .Values.strimzi.enabled -}}
{{- if .Values.strimzi.tls -}}{{ printf "%s-cluster-ca-cert" .Values.strimzi.clusterName }}{{- end -}}
{{- else if .Values.kafka.tls.enabled -}}
{{- .Values.kafka.tls.caSecret -}}
{{- end -}}
{{- end -}}

{{- define "iris.elasticsearchUrl" -}}
{{- if .Values.eck.enabled -}}
{{- printf "https://%s-es-http:9200" .Values.eck.elasticsearch.name -}}
{{- else -}}
{{- required "elasticsearch.url is required unless eck.enabled" .Values.elasticsearch.url -}}
{{- end -}}
{{- end -}}

{{/* With ECK: the basic-auth Secret of the services' file-realm user (chart-made or eck.elasticsearch.userSecret). */}}
{{- define "iris.eckUserSecret" -}}
{{- default (printf "%s-es-user" (include "iris.fullname" .)) .Values.eck.elasticsearch.userSecret -}}
{{- end -}}

{{- define "iris.elasticsearchCaSecret" -}}
{{- if .Values.eck.enabled -}}
{{- printf "%s-es-http-certs-public" .Values.eck.elasticsearch.name -}}
{{- else -}}
{{- .Values.elasticsearch.caSecret -}}
{{- end -}}
{{- end -}}

{{/*
Seconds between SIGTERM's decision and SIGKILL: the preStop sleep (endpoints drain first),
then SHUTDOWN_TIMEOUT_MS of draining and offset commits, plus a margin for process exit.
*/}}
{{- define "iris.terminationGracePeriodSeconds" -}}
{{- $shutdownSeconds := div (add (int .Values.shutdown.timeoutMs) 999) 1000 -}}
{{- add (int .Values.shutdown.preStopSleepSeconds) $shutdownSeconds (int .Values.shutdown.marginSeconds) -}}
{{- end -}}
