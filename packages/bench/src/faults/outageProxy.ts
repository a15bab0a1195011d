import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../repoRoot.ts';
import type { ProxyCommand, ProxyReport } from './outageProxyProcess.ts';

export interface OutageProxy {
  /** One port per group, on 127.0.0.1. */
  ports: number[];
  /** Cuts the group's connections and refuses new ones for `forMs`; resolves with how many were cut. */
  cut(group: number, forMs: number): Promise<number>;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./outageProxyProcess.ts', import.meta.url));

/** Starts the outage proxy process in front of 127.0.0.1:`targetPort`. */
export async function startOutageProxy(targetPort: number, groups: number): Promise<OutageProxy> {
  const child = fork(entry, [String(targetPort), String(groups)], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (report: ProxyReport) => (report.type === 'ready' ? resolve(report.ports) : reject(new Error('proxy not ready'))));
    void exited.then(() => reject(new Error('the outage proxy exited before it was ready')));
  });
  return {
    ports,
    cut(group, forMs) {
      return new Promise((resolve) => {
        const onReport = (report: ProxyReport) => {
          if (report.type === 'cut' && report.group === group) {
            child.off('message', onReport);
            resolve(report.connectionsCut);
          }
        };
        child.on('message', onReport);
        child.send({ type: 'cut', group, forMs } satisfies ProxyCommand);
      });
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        await exited;
      }
    },
  };
}
