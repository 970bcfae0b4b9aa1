'use strict';
// Starts the patched Telegram Bot API emulator on 127.0.0.1.
// Usage: node server.js [port]   (0 or nothing = any free port); prints "READY <port>".
require('./patch');
const TelegramServer = require('telegram-test-api');

const STORE_TIMEOUT_SECONDS = 7 * 24 * 3600;

async function main() {
  const port = Number(process.argv[2] || 0);
  const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: STORE_TIMEOUT_SECONDS });
  server.config.port = port; // normalizeConfig turns 0 into 9000
  await server.start();
  const actual = server.server.address().port;
  server.config.apiURL = `http://127.0.0.1:${actual}`;
  process.stdout.write(`READY ${actual}\n`);
  const stop = () => process.exit(0); // in-memory: nothing to flush, don't wait for long polls
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`emulator failed to start: ${err.stack || err}\n`);
  process.exit(1);
});
