import type { BenchSize, ScenarioName } from '../benchPlan.ts';
import type { DisconnectScenarioResult } from '../scenarios/disconnectScenario.ts';
import type { IdleScenarioResult } from '../scenarios/idleScenario.ts';
import type { LoadScenarioResult } from '../scenarios/loadScenario.ts';
import type { SearchScenarioResult } from '../scenarios/searchScenario.ts';
import type { StatementScenarioResult } from '../scenarios/statementScenario.ts';
import type { ServerName } from '../targets/chatTarget.ts';

/** One scenario's result per server, measured in the same run. */
export type SideBySide<T> = Partial<Record<ServerName, T>>;

export interface BenchReport {
  command: string;
  size: BenchSize;
  startedAt: string;
  durationSec: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  git: { commit: string | null; dirty: boolean | null };
  embedded?: SideBySide<LoadScenarioResult>;
  cluster?: SideBySide<LoadScenarioResult>;
  clusterBaseline?: SideBySide<LoadScenarioResult>;
  idle?: SideBySide<IdleScenarioResult>;
  disconnect?: SideBySide<DisconnectScenarioResult>;
  statements?: SideBySide<StatementScenarioResult>;
  /** Parley only: the Socket.IO peer has no search. */
  search?: { parley: SearchScenarioResult };
  /** Scenarios that failed for a server; the others still ran. */
  failures: Array<{ scenario: ScenarioName; server: ServerName; error: string }>;
}
