import { createBenchServer } from './servers';
import { VARIANTS, type Variant } from './variants';

/** One server of `npm run bench:http` in its own process: node dist/bench/http-adapter/server.js <variant> <port> */
async function main(): Promise<void> {
  const [variant, port] = [process.argv[2] as Variant, Number(process.argv[3])];
  if (!VARIANTS.includes(variant) || !Number.isInteger(port)) throw new Error(`usage: server.js <${VARIANTS.join('|')}> <port>`);
  const app = await createBenchServer(variant);
  await app.listen(port, '127.0.0.1');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
