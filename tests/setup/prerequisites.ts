import { access, constants } from 'node:fs/promises';
import { connect } from 'node:net';

/** Something the suite needs from the machine, and the command that provides it. */
export interface Prerequisite {
  name: string;
  check: () => Promise<boolean>;
  /** What to run when the check fails (the same commands .ci/run uses). */
  fix: string;
}

/** Resolves true when something accepts a TCP connection at host:port within timeoutMs. */
export function isListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

const CONNECT_TIMEOUT_MS = 500;

export const TEST_PREREQUISITES: Prerequisite[] = [
  {
    name: 'PostgreSQL on 127.0.0.1:5432',
    check: () => isListening('127.0.0.1', 5432, CONNECT_TIMEOUT_MS),
    fix: 'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start',
  },
  {
    name: 'Redis on 127.0.0.1:6379',
    check: () => isListening('127.0.0.1', 6379, CONNECT_TIMEOUT_MS),
    fix: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
  {
    name: 'Chromium at /usr/bin/chromium',
    check: () => isExecutable('/usr/bin/chromium'),
    fix: 'apt-get update && apt-get install -y chromium',
  },
];

/** One line per missing prerequisite, saying what to run; empty when everything is there. */
export async function findMissingPrerequisites(prerequisites: Prerequisite[]): Promise<string[]> {
  const results = await Promise.all(prerequisites.map(async (p) => ({ p, ok: await p.check() })));
  return results.filter((r) => !r.ok).map(({ p }) => `missing ${p.name}: run \`${p.fix}\``);
}
