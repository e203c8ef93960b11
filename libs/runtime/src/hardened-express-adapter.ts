import { createServer } from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import type { AppConfig } from '@app/config';

/**
 * Express with a Node HTTP server that cuts slow clients off in seconds: headers must arrive
 * within HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS (checked
 * every second rather than Node's default 30 s), idle keep-alive connections close after
 * HTTP_KEEPALIVE_TIMEOUT_MS, and connections past HTTP_MAX_CONNECTIONS are refused.
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
        requireHostHeader: true,
      },
      this.getInstance(),
    );
    server.keepAliveTimeout = c.HTTP_KEEPALIVE_TIMEOUT_MS;
    server.maxConnections = c.HTTP_MAX_CONNECTIONS;
    this.httpServer = server;
  }
}
