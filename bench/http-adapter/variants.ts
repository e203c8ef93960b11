/** The servers `npm run bench:http` compares (bench/http-adapter/server.ts says what each one holds). */
export const VARIANTS = ['express', 'fastify', 'express-hardened', 'fastify-hardened'] as const;
export type Variant = (typeof VARIANTS)[number];
