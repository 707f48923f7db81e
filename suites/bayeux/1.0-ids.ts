/**
 * Bayeux 1.0 "id": a client matches each /meta reply to its request by the id it sent, so a
 * reply without it (or with another) cannot be told from the reply to an earlier or a later
 * request of the same channel — a late connect reply then reads as the answer to the current one.
 * The handshake's id is judged by bay.handshake; this row covers the session's other meta replies.
 */
import type { BayeuxClient } from '../../runner/drivers/bayeux.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { Inconclusive, verdict, type Verdict } from '../../runner/verdict.js';
import { channelOf, connectTimeoutMs, controlMs, heldConnect, subscribed } from '../scenarios/bayeux.js';
import { BAYEUX_ROW } from '../sources.js';

export interface MetaIdsSeen {
  /** one entry per /meta request after the handshake: the id sent and the id of each reply on its channel (null: none) */
  checked: Array<{ channel: string; sentId: string; replyIds: Array<string | null> }>;
  /** answers that were no Bayeux reply at all, with the channel they answered */
  unparsed: string[];
}

function idsOf(client: BayeuxClient): MetaIdsSeen {
  const checked: MetaIdsSeen['checked'] = [];
  const unparsed: string[] = [];
  for (const ex of client.exchanges) {
    for (const sent of ex.sent) {
      if (!sent.channel.startsWith('/meta/') || sent.channel === '/meta/handshake') continue;
      if (ex.replies === null) {
        unparsed.push(`${sent.channel}: ${ex.problem ?? `HTTP ${ex.res.status || ex.res.end}`}`);
        continue;
      }
      const replyIds = ex.replies.filter((m) => m.channel === sent.channel).map((m) => (m.id === undefined ? null : String(m.id)));
      checked.push({ channel: sent.channel, sentId: sent.id ?? '', replyIds });
    }
  }
  return { checked, unparsed };
}

// Bayeux 1.0 "id": "An id field MAY be included in any Bayeux message [...]" and responses to
// /meta/** requests "MUST" carry the id of the request they answer (catalogue BAY-ID-01).
const replyIds = defineRequirement<MetaIdsSeen, Record<string, never>>({
  id: 'bay.reply-ids',
  ...BAYEUX_ROW,
  section: 'id field',
  level: 'must',
  title: 'Replies to /meta/subscribe, /meta/connect and /meta/disconnect carry the id of the request they answer',
  timing: false,
  limits: {},
  tolerance: () => 'exact: every reply on the channel of a /meta request carries that request’s id',
  faults: ['bayeux-meta-id-dropped'],
  remedy: 'copy the id of each /meta request into its reply (connect, subscribe, unsubscribe and disconnect, not only the handshake)',
  async scenario(ctx) {
    const client = await subscribed(ctx, 'client', channelOf(ctx.newChannel()));
    try {
      const { pending } = await heldConnect(ctx, client, connectTimeoutMs(ctx, client));
      // The disconnect releases the held connect on a compliant server; on another, the connect ends at its timeout.
      const ex = await client.disconnect(controlMs(ctx));
      if (ex === null) throw new Inconclusive('setup: the client has no clientId to disconnect');
      await pending.done;
      return idsOf(client);
    } finally {
      client.close();
    }
  },
  evaluate(o): Verdict {
    const expected = 'each /meta reply carries the id of its request';
    const wrong = o.checked.flatMap((c) =>
      c.replyIds
        .filter((id) => id !== c.sentId)
        .map((id) => `${c.channel} sent id "${c.sentId}", reply ${id === null ? 'without an id' : `with id "${id}"`}`),
    );
    if (wrong.length > 0)
      return verdict.violation(
        expected,
        `${wrong.slice(0, 3).join('; ')}${wrong.length > 3 ? ` (${wrong.length} in all)` : ''}: a client cannot match the reply to its request, so a late reply reads as the answer to a newer one`,
      );
    const answered = o.checked.filter((c) => c.replyIds.length > 0);
    if (answered.length === 0)
      return verdict.unobservable(
        `no /meta reply after the handshake to compare${o.unparsed.length > 0 ? ` (${o.unparsed.slice(0, 2).join('; ')})` : ''}`,
      );
    return verdict.pass(expected, `${answered.map((c) => `${c.channel} id "${c.sentId}"`).join(', ')} echoed`);
  },
});

export const bayeuxIdRequirements: Requirement[] = [replyIds];
export { replyIds };
