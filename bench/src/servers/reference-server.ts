/**
 * The reference: the standard y-websocket server (@y/websocket-server 0.1.1, `setupWSConnection`)
 * on a ws WebSocketServer behind a plain http server, as its own bin/server.js sets it up, with
 * no persistence (its default: documents stay in memory) and no authentication.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { docs, setupWSConnection } from '@y/websocket-server/utils';
import { listen, statsHandler } from './serverStats.ts';

const wss = new WebSocketServer({ noServer: true });
const stats = statsHandler(() => ({ connections: wss.clients.size, documents: docs.size }));

const server = http.createServer((req, res) => {
  if (stats(req, res)) return;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('reference y-websocket server\n');
});

wss.on('connection', (ws, req) => setupWSConnection(ws, req));
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

listen(server, 'reference');
