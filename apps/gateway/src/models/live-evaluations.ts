import { Injectable } from '@nestjs/common';
import type { LiveEvaluation } from '@app/contracts';

/** The monitor's latest live figures per version (a compacted topic: one record per version). */
@Injectable()
export class LiveEvaluations {
  private readonly byVersion = new Map<number, LiveEvaluation>();

  apply(live: LiveEvaluation): void {
    this.byVersion.set(live.version, live);
  }

  get(version: number): LiveEvaluation | undefined {
    return this.byVersion.get(version);
  }
}
