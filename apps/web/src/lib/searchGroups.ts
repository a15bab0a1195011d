/** Hits in groups by thread, in the order of each thread's best hit (the hits come best first). */
export function hitsByThread<Hit extends { threadId: string }>(hits: Hit[]): Array<{ threadId: string; hits: Hit[] }> {
  const groups = new Map<string, Hit[]>();
  for (const hit of hits) {
    const group = groups.get(hit.threadId);
    if (group) group.push(hit);
    else groups.set(hit.threadId, [hit]);
  }
  return [...groups].map(([threadId, threadHits]) => ({ threadId, hits: threadHits }));
}
