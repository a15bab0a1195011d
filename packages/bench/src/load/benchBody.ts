// A bench message carries its step tag and its send time (performance.now() of the load generator, which
// also receives it: one process, one clock) in its body, so a receiver needs nothing but the body.

const FILLER = 'The quick brown fox jumps over the lazy dog while the bench measures every hop. ';

/** `<tag> <sendAt ms> <filler>`, padded to `length` characters. */
export function benchBody(tag: string, sendAt: number, length: number): string {
  const head = `${tag} ${sendAt.toFixed(3)} `;
  if (head.length >= length) return head.trim();
  return (
    head +
    FILLER.repeat(Math.ceil(length / FILLER.length))
      .slice(0, length - head.length)
      .trimEnd()
  );
}

/** The tag and send time of a bench body, or null for anything else. */
export function parseBenchBody(body: string): { tag: string; sendAt: number } | null {
  const first = body.indexOf(' ');
  const second = body.indexOf(' ', first + 1);
  if (first <= 0) return null;
  const sendAt = Number(body.slice(first + 1, second === -1 ? undefined : second));
  return Number.isFinite(sendAt) ? { tag: body.slice(0, first), sendAt } : null;
}
