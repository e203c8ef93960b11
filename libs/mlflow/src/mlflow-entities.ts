/** The fields of MLflow's REST entities (API 2.0) the mirror reads; MLflow sends more. */

export interface KeyValue {
  key: string;
  value: string;
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
}

export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowRun {
  info: {
    run_id: string;
    experiment_id: string;
    run_name?: string;
    status: MlflowRunStatus;
    start_time?: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data: { params?: KeyValue[]; metrics?: MlflowMetric[]; tags?: KeyValue[] };
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  description?: string;
  tags?: KeyValue[];
}

export interface MlflowRegisteredModel {
  name: string;
  description?: string;
  aliases?: Array<{ alias: string; version: string }>;
}

export const tagMap = (tags: KeyValue[] | undefined): Map<string, string> => new Map((tags ?? []).map((t) => [t.key, t.value]));
