import type { NamedModelRouting } from '@app/contracts';

/** Every named model's newest routing record: current, previous, since when, and its canary. */
export class NamedRoutings {
  private readonly byName = new Map<string, NamedModelRouting>();

  apply(routing: NamedModelRouting): void {
    const known = this.byName.get(routing.model_name);
    if (known && Date.parse(routing.updated_at) < Date.parse(known.updated_at)) return;
    this.byName.set(routing.model_name, routing);
  }

  get(name: string): NamedModelRouting | undefined {
    return this.byName.get(name);
  }
}
