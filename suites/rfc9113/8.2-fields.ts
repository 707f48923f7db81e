/**
 * RFC 9113 §8.2 (HTTP fields over HTTP/2): field names in lower case (§8.2.1) and no
 * connection-specific fields (§8.2.2). Connection, Keep-Alive, Proxy-Connection,
 * Transfer-Encoding and Upgrade mean something to one HTTP/1.1 connection only; over HTTP/2 a
 * response carrying one is malformed (§8.1.1), and nghttp2 — under curl, Node and, with the same
 * rule, every browser — resets the stream, so not one event arrives. Servers written for HTTP/1.1
 * set `Connection: keep-alive` on event streams by hand, and an h2 front end that passes header
 * fields through turns that into a dead EventSource.
 */
import type { CaseContext } from '../../runner/context.js';
import { defineRequirement, type Requirement } from '../../runner/requirement.js';
import { verdict, type Verdict } from '../../runner/verdict.js';
import type { H2Connection } from '../../runner/h2/connection.js';
import { h2Connection, pushHead } from '../scenarios/h2.js';
import { PUSH_LABEL, PUSH_TRANSPORTS, type PushTransport } from '../scenarios/push-transports.js';
import { rfc } from '../sources.js';

const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

export interface FieldSample {
  transport: PushTransport;
  /** null: no header section arrived (`end` says how the exchange ended) */
  status: number | null;
  /** every field as the server's HEADERS frame carried it (decoded by pushspec's HPACK decoder) */
  fields: Array<[string, string]>;
  end: string;
  /** our HTTP/2 client's refusal of the response (RST_STREAM it sent), when it refused */
  refused: string | null;
}

export interface FieldsSeen {
  samples: FieldSample[];
}

async function fieldSample(ctx: CaseContext, conn: H2Connection, transport: PushTransport, waitMs: number): Promise<FieldSample> {
  const res = await pushHead(ctx, conn, transport, waitMs);
  const refused = res.errors.find((e) => e.startsWith('h2-refused')) ?? null;
  const answered = res.tHeaders !== null;
  return { transport, status: answered ? res.status : null, fields: answered ? res.headers : [], end: res.end, refused };
}

const fieldsLimits = { headWaitMs: 2000 };

export const noConnectionFields = defineRequirement<FieldsSeen, typeof fieldsLimits>({
  id: 'h2.no-connection-fields',
  spec: 'RFC 9113',
  section: '8.2.2',
  level: 'must',
  title:
    'Push responses over HTTP/2 carry no connection-specific fields (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade) and only lower-case field names',
  sources: [rfc(9113, '8.2.2'), rfc(9113, '8.2.1'), rfc(9113, '8.1.1')],
  transports: [...PUSH_TRANSPORTS],
  needsPublish: false,
  mayPublish: true,
  timing: false,
  limits: fieldsLimits,
  tolerance: (l) =>
    `exact: the field names of each push response header section, as the HEADERS frame carried them (a head not sent within ${l.headWaitMs} ms + ε is brought out by an event)`,
  faults: ['h2-connection-header'],
  remedy:
    'do not set Connection, Keep-Alive or Transfer-Encoding by hand on push responses (HTTP/2 frames every message itself; an HTTP/1.1 server adds them where they belong), and send field names in lower case',
  async scenario(ctx) {
    const conn = await h2Connection(ctx);
    const waitMs = ctx.ms(fieldsLimits.headWaitMs) + ctx.epsilonMs;
    const samples: FieldSample[] = [];
    for (const transport of PUSH_TRANSPORTS)
      if (ctx.manifest[transport] !== undefined) samples.push(await fieldSample(ctx, conn, transport, waitMs));
    return { samples };
  },
  evaluate(o): Verdict {
    const answered = o.samples.filter((s) => s.status !== null);
    if (answered.length === 0)
      return verdict.unobservable(
        `no push response header section arrived (${o.samples.map((s) => `${PUSH_LABEL[s.transport]}: ${s.end}`).join('; ')})`,
      );
    const expected = 'no connection-specific field and no upper-case field name in any push response';
    const problems: string[] = [];
    const fine: string[] = [];
    for (const s of answered) {
      const specific = s.fields.filter(([n]) => CONNECTION_SPECIFIC.includes(n.toLowerCase()));
      const upper = s.fields.filter(([n]) => n !== n.toLowerCase());
      const bits = [
        ...specific.map(([n, v]) => `${n}: ${v}`),
        ...upper.filter(([n]) => !CONNECTION_SPECIFIC.includes(n.toLowerCase())).map(([n]) => `upper-case name "${n}"`),
      ];
      if (bits.length > 0)
        problems.push(
          `${PUSH_LABEL[s.transport]} (HTTP ${s.status}): ${bits.join(', ')} — the response is malformed over HTTP/2 (RFC 9113 §8.1.1)${s.refused ? `, and our client refused it as curl and browsers do: ${s.refused.replace(/^h2-refused: /, '')}` : ''}`,
        );
      else if (s.refused) problems.push(`${PUSH_LABEL[s.transport]} (HTTP ${s.status}): ${s.refused.replace(/^h2-refused: /, '')}`);
      else fine.push(`${PUSH_LABEL[s.transport]} (HTTP ${s.status}): ${s.fields.length} fields, none connection-specific`);
    }
    if (problems.length > 0) return verdict.violation(expected, [...problems, ...fine].join('; '));
    return verdict.pass(expected, fine.join('; '));
  },
});

export const h2FieldRequirements: Requirement[] = [noConnectionFields];
