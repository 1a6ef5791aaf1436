/**
 * The floor: a WebSocket relay with no Yjs at all. It forwards every frame it receives, byte for
 * byte, to the other sockets of the same room (the URL path), except a client's SyncStep1, which
 * it answers with an empty SyncStep2 so that standard clients consider themselves synced. It
 * stores nothing, so a late joiner receives no state.
 */
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { EMPTY_SYNC_STEP2, MSG_SYNC, SYNC_STEP1 } from '../lib/protocol.ts';
import { listen, statsHandler } from './serverStats.ts';

const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
const stats = statsHandler(() => ({ connections: wss.clients.size, documents: rooms.size }));

const server = http.createServer((req, res) => {
  if (stats(req, res)) return;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('relay\n');
});

wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
  const name = (req.url ?? '/').split('?')[0]!;
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  const peers = room;
  peers.add(ws);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary && data[0] === MSG_SYNC && data[1] === SYNC_STEP1) {
      ws.send(EMPTY_SYNC_STEP2);
      return;
    }
    for (const peer of peers) {
      if (peer !== ws && peer.readyState === WebSocket.OPEN) peer.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => {
    peers.delete(ws);
    if (peers.size === 0 && rooms.get(name) === peers) rooms.delete(name);
  });
  ws.on('error', () => undefined);
});

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

listen(server, 'relay');
