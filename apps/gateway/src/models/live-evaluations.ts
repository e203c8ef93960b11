import { Injectable } from '@nestjs/common';
import type { LiveEvaluation, NamedLiveEvaluation } from '@app/contracts';

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

/** The same for every named model's versions (their own compacted topic, keyed name/version). */
@Injectable()
export class NamedLiveEvaluations {
  private readonly byVersion = new Map<string, NamedLiveEvaluation>();

  apply(live: NamedLiveEvaluation): void {
    this.byVersion.set(`${live.model_name}/${live.version}`, live);
  }

  get(model: string, version: number): NamedLiveEvaluation | undefined {
    return this.byVersion.get(`${model}/${version}`);
  }
}
