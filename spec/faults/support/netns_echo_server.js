// A ws echo server for the network-namespace fault specs (netns.ts starts it
// with `ip netns exec`). Listens on argv[2] (host), port 0, and writes one JSON
// line per fact to stdout: {"port":N} once listening, {"open":N} per
// connection, {"got":TEXT} per text message, {"bytes":N} per binary message.
// Exits when its stdin closes, so it never outlives the test run.
'use strict';
const { WebSocketServer } = require('ws');

const say = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`);
const wss = new WebSocketServer({ host: process.argv[2], port: 0, perMessageDeflate: false });
let connections = 0;
wss.on('listening', () => say({ port: wss.address().port }));
wss.on('connection', (socket) => {
  say({ open: connections++ });
  socket.on('message', (data, isBinary) => {
    say(isBinary ? { bytes: data.length } : { got: data.toString() });
    socket.send(data, { binary: isBinary });
  });
  socket.on('error', () => undefined);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
