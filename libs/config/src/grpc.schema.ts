import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const address = () => z.union([z.ipv4(), z.ipv6()]);

/** The gateway's gRPC server: where it listens and what a connection may hold. */
export const GRPC_ENV_SCHEMA = {
  /** The gateway's gRPC port (Open Inference Protocol v2). The gateway and `npm start` use 8081 when unset; 0 turns gRPC off. */
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address gRPC listens on: this host only by default; the image, compose and the chart set 0.0.0.0. */
  GRPC_HOST: address().default('127.0.0.1'),
  /** Open gRPC connections one process accepts; more are closed at once. */
  GRPC_MAX_CONNECTIONS: int(1_000, 1, 1_000_000),
  /** Open gRPC connections one client address (an IPv6 /64) may hold; more are closed at once. */
  GRPC_MAX_CONNECTIONS_PER_ADDRESS: int(100, 1, 1_000_000),
  /** A connection must send the HTTP/2 preface within this, or it is closed. */
  GRPC_HANDSHAKE_TIMEOUT_MS: int(5_000, 100, 120_000),
  /** A connection with no call for this long is closed (GOAWAY; clients reconnect when they need to). */
  GRPC_IDLE_TIMEOUT_MS: int(60_000, 1_000, 86_400_000),
  /** Every connection is closed after this long (GOAWAY, calls in flight get PREDICT_TIMEOUT_MS to finish), so none is held forever. */
  GRPC_MAX_CONNECTION_AGE_MS: int(600_000, 1_000, 86_400_000),
};
