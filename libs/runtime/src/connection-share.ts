import type { Server, Socket } from 'node:net';
import { clientGroup } from '@app/security';

/**
 * The connections each client address (clientGroup: an IPv6 client by its /64) holds on one
 * server, at most `maxPerAddress` each: a server-wide cap alone lets one client take every
 * connection and lock the others out. Works on the socket, below any protocol, so HTTP (whatever
 * framework serves it) and gRPC share it.
 */
export class ConnectionShare {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Counts the socket against its address until it closes; false (nothing counted) when the address holds its share already. */
  admit(socket: Socket): boolean {
    const group = clientGroup(socket.remoteAddress);
    const held = this.open.get(group) ?? 0;
    if (held >= this.maxPerAddress) return false;
    this.open.set(group, held + 1);
    socket.once('close', () => {
      const left = (this.open.get(group) ?? 1) - 1;
      if (left > 0) this.open.set(group, left);
      else this.open.delete(group);
    });
    return true;
  }

  /** Closes every connection past its address's share as soon as the server accepts it. */
  enforceOn(server: Server): void {
    server.prependListener('connection', (socket: Socket) => {
      if (!this.admit(socket)) socket.destroy();
    });
  }
}
