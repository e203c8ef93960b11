import { STATUS_CODES, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import type { AppConfig } from '@app/config';
import { ConnectionShare } from './connection-share';

/**
 * Express with a Node HTTP server that cuts slow clients off in seconds: headers must arrive
 * within HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS (checked
 * every second rather than Node's default 30 s), idle keep-alive connections close after
 * HTTP_KEEPALIVE_TIMEOUT_MS, and connections past HTTP_MAX_CONNECTIONS, or past
 * HTTP_MAX_CONNECTIONS_PER_ADDRESS from one client address, are refused. All of it is on the
 * node:http server, not in Express, so another Nest adapter keeps it by applying the same.
 */
export class HardenedExpressAdapter extends ExpressAdapter {
  constructor(private readonly config: AppConfig) {
    super(express());
  }

  override initHttpServer(): void {
    const c = this.config;
    const server = createServer(
      {
        headersTimeout: c.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeout: c.HTTP_REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: Math.min(1000, c.HTTP_HEADERS_TIMEOUT_MS),
        maxHeaderSize: 16 * 1024,
        // Answered by the app (in the JSON error shape) rather than by Node's bare 400.
        requireHostHeader: false,
      },
      this.getInstance(),
    );
    server.keepAliveTimeout = c.HTTP_KEEPALIVE_TIMEOUT_MS;
    server.maxConnections = c.HTTP_MAX_CONNECTIONS;
    new ConnectionShare(c.HTTP_MAX_CONNECTIONS_PER_ADDRESS).enforceOn(server);
    // Requests Node's parser refuses (bad headers, oversized headers, unknown methods, timeouts)
    // never reach Express: answer them in the API's JSON error shape instead of a bare status line.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (!socket.writable) return socket.destroy();
      const [status, error, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'bad_request', 'Malformed HTTP request'];
      const body = JSON.stringify({ status: 'error', error, message });
      // Written, then the connection destroyed: a half-close would let a dripping client keep it open.
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        () => socket.destroy(),
      );
    });
    this.httpServer = server;
  }
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'Request headers exceed 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request was not received in time (HTTP_REQUEST_TIMEOUT_MS)'],
  HPE_HEADERS_TIMEOUT: [408, 'request_timeout', 'The request headers were not received in time (HTTP_HEADERS_TIMEOUT_MS)'],
};
