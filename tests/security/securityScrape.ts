/** parley_refusals_total by reason, read from /metrics with the token the test server was given. */
export async function refusalsByReason(metricsUrl: string, token?: string): Promise<Record<string, number>> {
  const res = await fetch(metricsUrl, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const counts: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    const match = /^parley_refusals_total\{reason="([a-z_]+)"\} ([0-9.e+-]+)$/.exec(line);
    if (match) counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

export const METRICS_TOKEN = 'metrics-token-for-the-security-tests';
