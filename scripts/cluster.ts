/**
 * Starts N Parley server processes on consecutive ports, sharing one PostgreSQL and one Redis, and
 * optionally a round-robin TCP load balancer in front of them:
 *
 *   DATABASE_URL=postgresql://… REDIS_URL=redis://… pnpm cluster [--processes 2] [--port 3001] [--proxy 3000]
 *
 * Ctrl-C (or SIGTERM) drains every process and waits for them; a second one kills them.
 * See docs/cluster.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { get } from 'node:http';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLoadBalancer, type LoadBalancer } from './loadBalancer.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const USAGE = `usage: DATABASE_URL=postgresql://… REDIS_URL=redis://… pnpm cluster [--processes N] [--port FIRST_PORT] [--proxy PORT]

  --processes, -n  how many server processes (default 2)
  --port, -p       the first one's port; the others take the next ones (default $PORT or 3001)
  --proxy          also start a round-robin TCP load balancer on this port, so one address reaches them all`;

interface ClusterOptions {
  processes: number;
  firstPort: number;
  proxyPort: number | null;
  host: string;
}

class UsageError extends Error {}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): ClusterOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      processes: { type: 'string', short: 'n' },
      port: { type: 'string', short: 'p' },
      proxy: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  const processes = toInteger(values.processes ?? '2', '--processes', 1, 64);
  const firstPort = toInteger(values.port ?? env.PORT ?? '3001', '--port (or PORT)', 1, 65535 - processes + 1);
  const proxyPort = values.proxy === undefined ? null : toInteger(values.proxy, '--proxy', 1, 65535);
  if (proxyPort !== null && proxyPort >= firstPort && proxyPort < firstPort + processes) {
    throw new UsageError(`--proxy ${proxyPort} collides with the server ports ${firstPort}–${firstPort + processes - 1}`);
  }
  // Processes that share nothing but a file cannot be a cluster: each would have its own messages.
  if (!/^postgres(ql)?:\/\//i.test(env.DATABASE_URL ?? '')) {
    throw new UsageError(
      `a cluster needs PostgreSQL, which every process shares: set DATABASE_URL=postgresql://user@host:5432/parley` +
        (env.DATABASE_URL ? ` (got "${env.DATABASE_URL.split(':')[0]}:…", a database only one process can use)` : ''),
    );
  }
  if (!/^rediss?:\/\//i.test(env.REDIS_URL ?? '')) {
    throw new UsageError('a cluster needs Redis, which carries messages between the processes: set REDIS_URL=redis://host:6379');
  }
  return { processes, firstPort, proxyPort, host: env.HOST ?? '0.0.0.0' };
}

function toInteger(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/** Browsers load the app from the proxy's origin, so the servers must accept sockets from it too. */
function allowedOrigins(options: ClusterOptions, ports: number[]): string {
  const served = options.proxyPort === null ? ports : [options.proxyPort, ...ports];
  return [
    ...served.flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]),
    'http://localhost:5173',
    'http://127.0.0.1:5173',
  ].join(',');
}

interface Member {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number>;
}

function startMember(index: number, port: number, env: NodeJS.ProcessEnv): Member {
  const name = `[${index + 1}:${port}]`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) => process.stdout.write(`${name} ${line}\n`));
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`${name} ${line}\n`));
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
  return { name, port, child, exited };
}

/** Resolves once the process answers /healthz; rejects if it exits first. */
async function waitUntilListening(member: Member, host: string): Promise<void> {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let hasExited = false;
  void member.exited.then(() => (hasExited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`${member.name} exited before it listened (see its log above)`);
    if (await answersHealthCheck(address, member.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${member.name} did not answer /healthz within 60 s`);
}

/** One GET /healthz on a connection of its own (agent: false), so no idle keep-alive socket is left behind. */
function answersHealthCheck(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/healthz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function main(): Promise<number> {
  let options: ClusterOptions;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    if (error.message) console.error(`pnpm cluster: ${error.message}\n`);
    console.error(USAGE);
    return error.message ? 2 : 0;
  }

  const ports = Array.from({ length: options.processes }, (_, i) => options.firstPort + i);
  const env = { ...process.env, ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? allowedOrigins(options, ports) };
  const members = ports.map((port, i) => startMember(i, port, env));
  let balancer: LoadBalancer | null = null;
  let stopping = false;
  let stoppedAt = 0;

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // pnpm and tsx relay a Ctrl-C as more signals within milliseconds; only a person's second one counts.
      if (Date.now() - stoppedAt < 1000) return;
      console.error(`cluster: ${signal} again; killing the processes`);
      for (const { child } of members) child.kill('SIGKILL');
      return;
    }
    stopping = true;
    stoppedAt = Date.now();
    console.error(`cluster: ${signal}; draining ${members.length} processes`);
    // A process drains by telling its clients to reconnect; the balancer stays up so they can, to the others.
    for (const { child } of members) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  for (const member of members) {
    void member.exited.then((code) => {
      if (!stopping) console.error(`cluster: ${member.name} exited with code ${code}; the others keep serving`);
    });
  }

  try {
    await Promise.all(members.map((member) => waitUntilListening(member, options.host)));
    if (options.proxyPort !== null && !stopping) {
      const backendHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
      balancer = await startLoadBalancer({
        port: options.proxyPort,
        host: options.host,
        backends: ports.map((port) => ({ host: backendHost, port })),
        onNoBackend: (error) => console.error(`cluster: proxy: ${error.message}`),
      });
    }
    if (!stopping) {
      const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
      const urls = ports.map((port) => `http://${shownHost}:${port}`).join(', ');
      const proxy = balancer ? `; proxy http://${shownHost}:${balancer.port}` : '';
      console.log(`cluster ready: ${members.length} processes (${urls})${proxy}`);
    }
  } catch (error) {
    console.error(`cluster: ${error instanceof Error ? error.message : String(error)}; stopping`);
    stop('SIGTERM');
  }

  const codes = await Promise.all(members.map((member) => member.exited));
  await balancer?.close();
  const failed = members.flatMap((member, i) => (codes[i] === 0 ? [] : [`${member.name} ${codes[i]}`]));
  if (failed.length) console.error(`cluster: stopped; exit codes: ${failed.join(', ')}`);
  else console.error('cluster: stopped');
  return failed.length || !stopping ? 1 : 0;
}

process.exitCode = await main();
