import type { ModelRegistered } from '@app/contracts';

/** Registry record as the API shows it: the summary for listings, everything for one version. */
export function modelSummary(r: ModelRegistered) {
  return {
    version: r.version,
    status: r.status,
    status_reason: r.status_reason,
    parent_version: r.parent_version,
    job_id: r.job_id,
    run_id: r.model.run_id,
    registered_at: r.registered_at,
    trained_at: r.model.trained_at,
    checksum: r.model.checksum,
    accuracy: r.model.metrics.accuracy,
    macro_f1: r.model.metrics.macro_f1,
  };
}

export function modelDetail(r: ModelRegistered) {
  return { ...modelSummary(r), metrics: r.model.metrics, params: r.model.params, baselines: r.model.baselines };
}
