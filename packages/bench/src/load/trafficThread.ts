import type { BenchConnection } from '../targets/chatTarget.ts';

/** One thread under load: its id, the one member who sends, and the members who receive. */
export interface TrafficThread {
  index: number;
  id: string;
  sender: BenchConnection;
  receivers: BenchConnection[];
}
