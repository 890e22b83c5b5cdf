/**
 * The "bare Node server" baseline: the same one-port HTTP/1.1 + h2c sniffing the JS SDK needs, and a
 * canned response for any POST — no routing, no decoding, no storage. What a request costs in Node
 * itself, so a Shardline figure can be read as overhead on top of it.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface BareServer {
  readonly url: string;
  close(): Promise<void>;
}

export function startBareServer(cannedBody: string, port = 0): Promise<BareServer> {
  const body = Buffer.from(cannedBody);
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      (res as ServerResponse).writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': body.length,
        'x-amzn-requestid': randomUUID(),
      });
      res.end(body);
    });
  };
  const h1 = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  const h2 = http2.createServer({}, handler);
  const sockets = new Set<net.Socket>();
  const outer = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const n = Math.min(chunk.length, PREFACE.length);
      if (chunk.compare(PREFACE, 0, n, 0, n) === 0) h2.emit('connection', socket);
      else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  return new Promise((resolve) => {
    outer.listen(port, '127.0.0.1', () => {
      const { port: actual } = outer.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            outer.close(() => done());
          }),
      });
    });
  });
}
