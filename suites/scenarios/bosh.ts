/**
 * Shared BOSH scenario steps: a session on the manifest's endpoint with a short `wait` the run can
 * afford, authenticated (SASL PLAIN with the manifest's jid/password, else ANONYMOUS) so that a
 * message to the session's own JID can play the event, and a request that is actually held.
 */
import type { CaseContext } from '../../runner/context.js';
import { BoshSession, type BoshExchange, type PendingBosh } from '../../runner/drivers/bosh.js';
import { Inconclusive } from '../../runner/verdict.js';

export const boshControlMs = (ctx: CaseContext): number => ctx.ms(5000);

export function boshUrl(ctx: CaseContext): URL {
  const block = ctx.manifest.bosh;
  if (!block) throw new Inconclusive('the manifest has no bosh block');
  return new URL(block.url, ctx.manifest.baseUrl);
}

export const boshDomain = (ctx: CaseContext): string => ctx.manifest.bosh?.domain ?? new URL(ctx.manifest.baseUrl).hostname;

/** The wait pushspec asks for: 3 s (scaled), within the hold limit. */
export const requestedWaitS = (ctx: CaseContext): number =>
  Math.max(1, Math.min(Math.round(3 * ctx.env.options.timeScale), ctx.env.options.holdLimitSeconds));

export function newSession(ctx: CaseContext, label = 'bosh', extra: Array<[string, string]> = []): BoshSession {
  const headers = Object.entries({ ...ctx.manifest.headers, ...ctx.manifest.bosh?.headers });
  return new BoshSession(ctx, boshUrl(ctx), [...headers, ...extra], label);
}

/** Creates a session (wait as asked, hold 1) or throws Inconclusive with what came back. */
export async function created(ctx: CaseContext, s: BoshSession, content?: string): Promise<BoshExchange> {
  const ex = await s.create(
    { to: boshDomain(ctx), wait: requestedWaitS(ctx), hold: 1, ...(content === undefined ? {} : { content }) },
    boshControlMs(ctx),
  );
  if (s.sid === null)
    throw new Inconclusive(
      `setup: no BOSH session was created (HTTP ${ex.res.status || ex.res.end}: ${ex.problem ?? JSON.stringify(ex.body?.attrs ?? {})})`,
    );
  return ex;
}

/** A created and authenticated session with its bound JID. */
export async function authenticated(ctx: CaseContext, label = 'bosh'): Promise<{ s: BoshSession; jid: string; waitMs: number }> {
  const s = newSession(ctx, label);
  await created(ctx, s);
  const b = ctx.manifest.bosh;
  try {
    const jid = await s.authenticate(
      b?.jid !== undefined && b.password !== undefined
        ? { mechanism: 'PLAIN', jid: b.jid, password: b.password }
        : { mechanism: 'ANONYMOUS' },
      boshControlMs(ctx),
    );
    return { s, jid, waitMs: Number(s.granted['wait'] ?? requestedWaitS(ctx)) * 1000 };
  } catch (e) {
    s.close();
    throw new Inconclusive(`setup: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An empty request still pending `rtt + 20 %` of the wait after it was sent. */
export async function heldRequest(ctx: CaseContext, s: BoshSession, waitMs: number): Promise<PendingBosh> {
  for (let i = 0; i < 3; i++) {
    const p = await s.start('', waitMs * 1.5 + ctx.ms(2000));
    const settle = ctx.rttMs + Math.min(waitMs, ctx.ms(5000)) * 0.2;
    const raced = await Promise.race([p.done.then(() => 'answered' as const), ctx.pause(settle).then(() => 'pending' as const)]);
    if (raced === 'pending') return p;
  }
  throw new Inconclusive('setup: three empty requests in a row were answered at once; none was held (bosh.wait judges that)');
}
