// The worker thread of sqliteCheckpointer.ts: plain CommonJS so that it loads the same way under tsx,
// vitest and plain node. It only copies WAL frames into the database file, on its own connection.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);

const db = new Database(workerData.path);
db.prepare('PRAGMA busy_timeout = 5000').get();
db.prepare('PRAGMA synchronous = NORMAL').get();
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

function checkpoint(statement) {
  const row = statement.get();
  parentPort.postMessage({ type: 'checkpointed', busy: row.busy, log: row.log, checkpointed: row.checkpointed });
}

const timer = setInterval(() => checkpoint(passive), workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try {
    // The last one empties the WAL, so a cleanly stopped server leaves one self-contained file.
    checkpoint(db.prepare('PRAGMA wal_checkpoint(TRUNCATE)'));
  } finally {
    db.close();
    parentPort.close();
  }
});
