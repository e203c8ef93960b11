import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';

/** The first value of a metadata key as text (gRPC metadata keys are lower-case). */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return value === undefined ? undefined : value.toString();
}

/** The caller's IP address: grpc-js names peers "127.0.0.1:5000", "[::1]:5000" or with an "ipv4:"/"ipv6:" prefix. */
export function peerAddress(call: ServerUnaryCall<unknown, unknown>): string {
  const peer = call.getPeer().replace(/^ipv[46]:/, '');
  return peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : peer.slice(0, peer.lastIndexOf(':'));
}
