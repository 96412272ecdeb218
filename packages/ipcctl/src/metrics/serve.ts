/**
 * --listen ADDR:PORT: /metrics over HTTP for Prometheus to scrape directly, each request a fresh
 * scrape, until the signal (SIGINT, SIGTERM) aborts; anything but /metrics is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exposition } from './scrape.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Starts listening; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND…). */
export function listen(address: ListenAddress, scrape: () => Promise<Exposition>): Promise<Server> {
  const server = createServer((request, response) => {
    void answer(request, response, scrape);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The URL a listening server answers on (the port the kernel chose for port 0). */
export function metricsUrl(server: Server): string {
  const { address, family, port } = server.address() as AddressInfo;
  return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}/metrics`;
}

/** Stops accepting, and ends the connections Prometheus keeps alive between scrapes. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  scrape: () => Promise<Exposition>,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path !== '/metrics') return reply(response, 404, 'Not Found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return reply(response, 405, 'Method Not Allowed\n');
  }
  try {
    const { text, contentType } = await scrape();
    response.writeHead(200, { 'Content-Type': contentType });
    response.end(request.method === 'HEAD' ? undefined : text);
  } catch (error) {
    reply(response, 500, `${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
