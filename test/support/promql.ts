/**
 * What a PromQL expression names: the metrics it selects, and the labels it matches on or groups
 * by. A tokenizer, not a parser: enough to hold expressions to the metrics and labels the
 * services expose (Prometheus itself judges the syntax when it evaluates them).
 */
export interface PromqlNames {
  metrics: string[];
  /** Label names in matchers ({job=~"…"}) and in by/without/on/ignoring/group_left/group_right lists. */
  labels: string[];
}

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([...GROUPING, 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);
// Followed by `by (…)` rather than by their argument in `sum by (job) (…)`.
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const TOKEN =
  /\s+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\[[^\]]*\]|[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|=~|!~|!=|==|>=|<=|[{}(),=<>+\-*/%^@]/gy;

function tokens(expr: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot read PromQL at ${at}: ${expr.slice(at, at + 30)}`);
    if (m[0].trim() !== '') out.push(m[0]);
  }
  return out;
}

export function promqlNames(expr: string): PromqlNames {
  const t = tokens(expr);
  const metrics = new Set<string>();
  const labels = new Set<string>();
  let inBraces = false;
  for (let i = 0; i < t.length; i++) {
    const token = t[i];
    if (token === '{') inBraces = true;
    else if (token === '}') inBraces = false;
    else if (!/^[A-Za-z_:]/.test(token)) continue;
    else if (inBraces) labels.add(token);
    else if (GROUPING.has(token) && t[i + 1] === '(') {
      for (i += 2; t[i] !== ')'; i++) if (t[i] !== ',') labels.add(t[i]);
    } else if (t[i + 1] === '(' || KEYWORDS.has(token) || AGGREGATIONS.has(token)) continue;
    // A duration after offset ("offset 5m") is a number token followed by an identifier ("m").
    else if (/^\d/.test(t[i - 1] ?? '') || t[i - 1] === 'offset') continue;
    else metrics.add(token);
  }
  return { metrics: [...metrics].sort(), labels: [...labels].sort() };
}
