import { z } from 'zod';
import { bool } from './env-values';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

/** Live evaluation: how feedback is judged, and whether the monitor may act on it. Off by default. */
export const LIVE_ENV_SCHEMA = {
  /** Promote a shadow or canary version that is significantly more accurate than the current one on the same labeled rows. */
  AUTO_PROMOTE: bool(false),
  /** Roll back to the previous version when it is significantly more accurate than the current one on the last labeled rows. */
  AUTO_ROLLBACK: bool(false),
  /** No automatic decision on fewer labeled rows than this. */
  LIVE_MIN_LABELS: int(100, 1),
  /** Significance level of the paired (McNemar) test. */
  LIVE_ALPHA: z.coerce.number().gt(0).lt(1).default(0.01),
  /** The last labeled rows decisions are judged on. */
  LIVE_WINDOW: int(1000, 10, 1_000_000),
  /** After any change of the current version, no automatic decision for this long (no flapping). */
  LIVE_COOLDOWN_SECONDS: int(600, 0),
  /** How often live figures are published and decisions considered. */
  LIVE_PUBLISH_SECONDS: int(5, 1, 3600),
};
