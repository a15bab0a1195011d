// The worker thread of sqliteCheckpointer.ts: plain CommonJS so that it loads the same way under tsx,
// vitest and plain node. It only copies WAL frames into the database file, on its own connection.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);

const db = new Database(workerData.path);
db.prepare('PRAGMA busy_timeout = 5000').get();
db.prepare('PRAGMA synchronous = NORMAL').get();
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.postMessage('ready');

// A PASSIVE checkpoint copies what it can without waiting for any lock; what it could not, the next one does.
const timer = setInterval(() => passive.get(), workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try {
    // The last one empties the WAL, so a cleanly stopped server leaves one self-contained file.
    db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  } finally {
    db.close();
    parentPort.close();
  }
});
