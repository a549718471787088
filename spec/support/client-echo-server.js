// A ws echo server in its own process, for specs that must freeze or kill a
// whole server (SIGSTOP / SIGCONT / SIGKILL): spec/support/client-child-server.ts
// starts it. Listens on 127.0.0.1, port 0 (or argv[2]), and writes one JSON
// line per fact to stdout: {"port":N} once listening, {"open":PATH} per
// connection, {"close":CODE,"reason":TEXT,"path":PATH} per closed connection.
// Exits when its stdin closes, so it never outlives the test run.
'use strict';
const { WebSocketServer } = require('ws');

const say = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`);
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] || 0), perMessageDeflate: false });
wss.on('listening', () => say({ port: wss.address().port }));
wss.on('connection', (socket, request) => {
  const path = request.url;
  say({ open: path });
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => undefined);
  socket.on('close', (code, reason) => say({ close: code, reason: reason.toString(), path }));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
