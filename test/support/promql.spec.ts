import { promqlNames } from './promql';

describe('promqlNames', () => {
  it('finds the metrics and the labels of matchers and groupings, not functions, keywords, strings or durations', () => {
    const expr = `sum by (job, le) (rate(http_request_duration_seconds_bucket{route=~"/predict|a{b}",status!="5.."}[5m] offset 10m))
      / ignoring (model_version) group_left sum(predictions_total) > 0.1 and max by (group) (max_over_time(kafka_consumer_lag[10m]))`;
    expect(promqlNames(expr)).toEqual({
      metrics: ['http_request_duration_seconds_bucket', 'kafka_consumer_lag', 'predictions_total'],
      labels: ['group', 'job', 'le', 'model_version', 'route', 'status'],
    });
  });

  it('reads an aggregation with its grouping after the argument, and a bare metric', () => {
    expect(promqlNames('sum(rate(events_consumed_total{outcome="ok"}[1m])) without (topic)')).toEqual({
      metrics: ['events_consumed_total'],
      labels: ['outcome', 'topic'],
    });
    expect(promqlNames('model_current_version')).toEqual({ metrics: ['model_current_version'], labels: [] });
  });

  it('refuses text it cannot read rather than guessing', () => {
    expect(() => promqlNames('rate(x[1m]) § 2')).toThrow('cannot read PromQL at 12');
  });
});
