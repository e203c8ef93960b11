import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileScorer, type GaussianNBParams } from '@app/model';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { ROOT } from './support/infra';
import { testPort } from './support/ports';
import { IRIS_V1_METADATA } from './support/oip-metadata';

// scripts/test-prereqs.sh (run before `npm test`) installs the client here.
const PYTHON = join(ROOT, '.tools', 'triton-venv', 'bin', 'python');
const KEY = 'triton-key';
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.8, 2.8, 4.8, 1.4],
  [6.3, 3.3, 6.0, 2.5],
];

/** An independent client built for Triton and KServe servers, from PyPI, talking to the gateway over REST and gRPC. */
describe("Triton's Python client (tritonclient) against the gateway (embedded mode)", () => {
  let platform: EmbeddedPlatform;
  let report: Record<string, Record<string, unknown>>;
  let params: GaussianNBParams;

  beforeAll(async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run bash scripts/test-prereqs.sh (npm test does)`);
    const { platform: started, http } = await startTestPlatform('triton-embedded', { GRPC_PORT: String(testPort(80)), API_KEYS: KEY });
    platform = started;
    params = (await http.get('/models/current').set('X-API-Key', KEY).expect(200)).body.params;
    const port = (platform.gateway.getHttpServer().address() as AddressInfo).port;
    const args = [join(ROOT, 'test', 'reference', 'triton_client.py'), `127.0.0.1:${port}`, `127.0.0.1:${testPort(80)}`, KEY, '1', JSON.stringify(ROWS)];
    // Asynchronously: the server answering the client runs in this process.
    const { stdout } = await promisify(execFile)(PYTHON, args, { encoding: 'utf8', timeout: 60_000 });
    report = JSON.parse(stdout);
  });
  afterAll(() => platform?.close());

  const expectedOutputs = () => {
    const scored = ROWS.map((x) => compileScorer(params)(x));
    return {
      label: scored.map((s) => s.className),
      class_id: scored.map((s) => s.classId),
      // float32, as numpy hands them over
      probabilities: scored.map((s) => s.probabilities.map(Math.fround)),
      probabilities_dtype: 'float32',
      shape: [3, 3],
    };
  };

  it('sees a live, ready server and the model metadata over REST and gRPC', () => {
    expect(report.http).toMatchObject({
      live: true,
      ready: true,
      model_ready: true,
      server_metadata: { name: 'iris-platform', version: 'dev', extensions: [] },
      model_metadata: IRIS_V1_METADATA,
    });
    // The gRPC client's JSON view prints int64s as strings.
    const shapes = (tensors: Array<{ shape: number[] }>) => tensors.map((t) => ({ ...t, shape: t.shape.map(String) }));
    expect(report.grpc).toMatchObject({
      live: true,
      ready: true,
      model_ready: true,
      model_metadata: { ...IRIS_V1_METADATA, inputs: shapes(IRIS_V1_METADATA.inputs), outputs: shapes(IRIS_V1_METADATA.outputs) },
    });
  });

  it('infers over REST with JSON tensors: labels, class indexes and float32 probabilities as the serving model computes them', () => {
    expect(report.http).toMatchObject({ id: 'triton-http', model_version: '1', outputs: expectedOutputs() });
  });

  it('infers over gRPC with raw tensors, with the serving model and with a named version', () => {
    expect(report.grpc).toMatchObject({ id: 'triton-grpc', model_version: '1', outputs: expectedOutputs(), named_outputs: expectedOutputs() });
  });
});
