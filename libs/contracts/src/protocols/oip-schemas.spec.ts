import { oipInferRequestSchema } from './oip-schemas';

describe('oipInferRequestSchema', () => {
  it('refuses a tensor of more elements than the largest batch holds on its length alone', () => {
    const data = Array.from({ length: 60_000 }, () => [5.1, 3.5, 1.4, 0.2]);
    const result = oipInferRequestSchema.safeParse({ inputs: [{ name: 'input-0', shape: [60_000, 4], datatype: 'FP32', data }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['inputs', 0, 'data'], message: 'must hold at most 4000 elements (1000 rows of 4 features)' }),
    ]);
  });
});
