import type { ModelRouting } from '@app/contracts';

/** The newest routing record: which versions are current, previous, shadow and canary. */
export class RoutingState {
  private routing: ModelRouting | null = null;

  apply(routing: ModelRouting): void {
    if (this.routing && Date.parse(routing.updated_at) < Date.parse(this.routing.updated_at)) return;
    this.routing = routing;
  }

  get current(): ModelRouting | null {
    return this.routing;
  }
}
