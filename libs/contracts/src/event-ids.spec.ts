import { derivedEventId } from './event-ids';

describe('derivedEventId', () => {
  it('derives the same UUID-shaped id from the same source event and purpose, and different ids otherwise', () => {
    const id = derivedEventId('4f1c7a0e-1111-4222-8333-944455556666', 'prediction-made');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('4f1c7a0e-1111-4222-8333-944455556666', 'prediction-made')).toBe(id);
    expect(derivedEventId('4f1c7a0e-1111-4222-8333-944455556667', 'prediction-made')).not.toBe(id);
    expect(derivedEventId('4f1c7a0e-1111-4222-8333-944455556666', 'prediction-failed')).not.toBe(id);
  });
});
