import { expect } from 'chai';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyEnd, classifyWireEnd, parseWhole, type EndInput, type EndKind, type FramingSpec } from '../runner/framing/index.js';
import { WireConnection } from '../runner/wire/index.js';
import { mulberry32 } from './helpers/random.js';

/**
 * The EOF-vs-abort classifier (requirements §4.3): the decision table row by row, then the
 * self-test the requirements ask for — a real server ends a real stream with FIN or RST at a
 * random offset, the raw-socket client records it, and every trial must be classified right.
 */

describe('classifyEnd: the decision table', () => {
  const base = (over: Partial<EndInput>): EndInput => ({
    transport: 'fin',
    http: { framing: 'close', complete: true },
    app: { partial: null },
    ...over,
  });
  const rows: Array<[string, EndInput, EndKind]> = [
    ['FIN + close-delimited + app complete', base({}), 'orderly-end'],
    ['FIN + close-delimited + app partial', base({ app: { partial: 'data: x' } }), 'truncated'],
    ['FIN + declared end marker missing', base({ app: { partial: null, endMarkerSeen: false } }), 'truncated'],
    ['FIN + declared end marker seen', base({ app: { partial: null, endMarkerSeen: true } }), 'orderly-end'],
    [
      'RST + close-delimited + app partial',
      base({ transport: 'rst', http: { framing: 'close', complete: false }, app: { partial: '{"a"' } }),
      'aborted',
    ],
    ['RST + close-delimited on a message boundary', base({ transport: 'rst', http: { framing: 'close', complete: false } }), 'ambiguous'],
    ['FIN + chunked without last-chunk, app looks complete', base({ http: { framing: 'chunked', complete: false } }), 'truncated'],
    [
      'RST + chunked without last-chunk, app looks complete',
      base({ transport: 'rst', http: { framing: 'chunked', complete: false } }),
      'aborted',
    ],
    ['chunked with last-chunk + app complete', base({ http: { framing: 'chunked', complete: true } }), 'orderly-end'],
    [
      'chunked with last-chunk + app partial',
      base({ http: { framing: 'chunked', complete: true }, app: { partial: 'data: x\n' } }),
      'truncated',
    ],
    [
      'RST after a complete Content-Length body',
      base({ transport: 'rst', http: { framing: 'content-length', complete: true } }),
      'orderly-end',
    ],
    ['FIN + Content-Length short', base({ http: { framing: 'content-length', complete: false } }), 'truncated'],
    ['FIN at an intermediary deadline', base({ cutDeadlineMs: 30_000, tEnd: 30_040 }), 'cut-by-intermediary'],
    [
      'FIN at an intermediary deadline, chunked incomplete',
      base({ http: { framing: 'chunked', complete: false }, cutDeadlineMs: 30_000, tEnd: 29_950 }),
      'cut-by-intermediary',
    ],
    ['FIN well away from an intermediary deadline', base({ cutDeadlineMs: 30_000, tEnd: 31_000 }), 'orderly-end'],
    ['FIN just outside a custom epsilon', base({ cutDeadlineMs: 1000, tEnd: 1021, epsilonMs: 20 }), 'orderly-end'],
    ['no deadline active', base({ cutDeadlineMs: null, tEnd: 5 }), 'orderly-end'],
    ['our deadline fired', base({ transport: 'timeout', http: { framing: 'chunked', complete: false } }), 'ambiguous'],
    ['we closed it', base({ transport: 'local', http: { framing: 'close', complete: false } }), 'ambiguous'],
    ['another socket error', base({ transport: 'error', http: { framing: 'close', complete: false }, app: { partial: 'x' } }), 'ambiguous'],
  ];
  for (const [name, input, kind] of rows) {
    it(`${name} → ${kind}`, () => {
      const got = classifyEnd(input);
      expect(got.kind, got.why).to.equal(kind);
      expect(got.why).to.be.a('string').and.not.equal('');
    });
  }

  it('classifyWireEnd maps WireResponse.end onto the transport and HTTP layers', () => {
    const at = { tEnd: 10 };
    expect(classifyWireEnd({ ...at, end: 'complete', framing: 'close' }, { partial: null }).kind).to.equal('orderly-end');
    expect(classifyWireEnd({ ...at, end: 'complete', framing: 'chunked' }, { partial: 'x' }).kind).to.equal('truncated');
    expect(classifyWireEnd({ ...at, end: 'fin', framing: 'chunked' }, { partial: null }).kind).to.equal('truncated');
    expect(classifyWireEnd({ ...at, end: 'rst', framing: 'close' }, { partial: 'x' }).kind).to.equal('aborted');
    expect(classifyWireEnd({ ...at, end: 'cap', framing: 'chunked' }, { partial: null }).kind).to.equal('ambiguous');
    expect(classifyWireEnd({ ...at, end: 'malformed', framing: 'none' }, { partial: null }).kind).to.equal('ambiguous');
    expect(classifyWireEnd({ tEnd: 1000, end: 'complete', framing: 'close' }, { partial: null }, { cutDeadlineMs: 1010 }).kind).to.equal(
      'cut-by-intermediary',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Self-test over real sockets

type Format = 'sse' | 'ndjson';
type Transfer = 'chunked' | 'close';
type Action = 'fin+last-chunk' | 'fin' | 'rst' | 'rst-late';

interface Plan {
  format: Format;
  transfer: Transfer;
  action: Action;
  body: Buffer;
  /** bytes of the body the server sends before ending */
  cut: number;
  /** offsets where no message is in progress */
  boundaries: Set<number>;
  /** the body bytes of each write (each becomes one chunk when chunked) */
  pieces: number[];
}

const COMBOS: Array<[Format, Transfer, Action]> = [];
for (const format of ['sse', 'ndjson'] as const) {
  for (const action of ['fin+last-chunk', 'fin', 'rst', 'rst-late'] as const) COMBOS.push([format, 'chunked', action]);
  for (const action of ['fin', 'rst', 'rst-late'] as const) COMBOS.push([format, 'close', action]);
}

/** A stream of units, each ending on a boundary; SSE mixes comments, multi-line and non-ASCII data. */
function makeBody(format: Format, rand: () => number): { body: Buffer; boundaries: Set<number> } {
  const units: Buffer[] = [];
  const n = 3 + Math.floor(rand() * 5);
  for (let i = 1; i <= n; i++) {
    const token = `pst-${i}-${Math.floor(rand() * 1e6).toString(36)}`;
    if (format === 'sse') {
      if (rand() < 0.3) units.push(Buffer.from(': hb\n'));
      const lines = rand() < 0.4 ? `data: ${token}\ndata: ünï€𝄞\n` : `data: ${token}\n`;
      units.push(Buffer.from(`id: ${i}\n${lines}\n`, 'utf8'));
    } else {
      if (rand() < 0.3) units.push(Buffer.from('\n'));
      units.push(Buffer.from(`${JSON.stringify({ seq: i, token, text: 'ünï€' })}\r\n`, 'utf8'));
    }
  }
  const boundaries = new Set<number>([0]);
  let at = 0;
  for (const u of units) boundaries.add((at += u.length));
  return { body: Buffer.concat(units), boundaries };
}

function makePlan(trial: number, rand: () => number): Plan {
  const combo = COMBOS[trial % COMBOS.length];
  if (combo === undefined) throw new Error('no combination');
  const [format, transfer, action] = combo;
  const { body, boundaries } = makeBody(format, rand);
  // Half the cuts land on a boundary, so orderly ends are exercised as often as truncations.
  const onBoundary = [...boundaries];
  const cut = rand() < 0.5 ? (onBoundary[Math.floor(rand() * onBoundary.length)] ?? 0) : Math.floor(rand() * (body.length + 1));
  const pieces: number[] = [];
  for (let left = cut; left > 0;) {
    const n = Math.min(left, 1 + Math.floor(rand() * 24));
    pieces.push(n);
    left -= n;
  }
  return { format, transfer, action, body, cut, boundaries, pieces };
}

function expectedKind(p: Plan): EndKind {
  const whole = p.boundaries.has(p.cut);
  if (p.transfer === 'chunked') {
    if (p.action === 'fin+last-chunk') return whole ? 'orderly-end' : 'truncated';
    return p.action === 'fin' ? 'truncated' : 'aborted';
  }
  if (p.action === 'fin') return whole ? 'orderly-end' : 'truncated';
  return whole ? 'ambiguous' : 'aborted';
}

/** Serves exactly one planned response per connection, then ends it as planned. */
function planServer(plans: Map<string, Plan>): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => undefined);
    // Nagle would hold small writes in the kernel until ACKed, and an RST discards them: the
    // client could then not see the planned bytes, and the expectation would be wrong.
    socket.setNoDelay(true);
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^GET \/(\d+) /.exec(head);
      if (m === null || !head.includes('\r\n\r\n')) return;
      const plan = plans.get(m[1] ?? '');
      if (plan === undefined) {
        socket.destroy();
        return;
      }
      void serve(socket, plan);
    });
  });
}

async function serve(socket: net.Socket, p: Plan): Promise<void> {
  const type = p.format === 'sse' ? 'text/event-stream' : 'application/x-ndjson';
  const framing = p.transfer === 'chunked' ? 'Transfer-Encoding: chunked' : 'Connection: close';
  const writes: Buffer[] = [
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nCache-Control: no-store\r\n${framing}\r\n\r\n`, 'latin1'),
  ];
  let at = 0;
  for (const n of p.pieces) {
    const data = p.body.subarray(at, at + n);
    at += n;
    writes.push(p.transfer === 'chunked' ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data);
  }
  if (p.action === 'fin+last-chunk') writes.push(Buffer.from('0\r\n\r\n'));
  for (const w of writes) socket.write(w);
  if (p.action === 'fin' || p.action === 'fin+last-chunk') {
    socket.end();
    return;
  }
  // 'rst' resets right behind the data (the client then often sees libuv's EOF first);
  // 'rst-late' lets the client read everything before the reset arrives.
  await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  if (p.action === 'rst-late') await sleep(15);
  socket.resetAndDestroy();
}

describe('classifyWireEnd self-test: FIN and RST injected at random offsets into real streams', function () {
  this.timeout(30_000);
  const TRIALS = 80;
  const seed = Number(process.env['PUSHSPEC_CLASSIFY_SEED'] ?? Date.now() % 1_000_000);

  it(`classifies all ${TRIALS} trials correctly (seed ${seed}; rerun with PUSHSPEC_CLASSIFY_SEED)`, async () => {
    const rand = mulberry32(seed);
    const plans = new Map<string, Plan>();
    for (let i = 0; i < TRIALS; i++) plans.set(String(i), makePlan(i, rand));
    const server = planServer(plans);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, got ${String(address)}`);
    const host = `127.0.0.1:${address.port}`;
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const rstVia = new Map<string, number>();
    try {
      for (const [id, p] of plans) {
        const conn = await WireConnection.open(new URL(`http://${host}`), { connectTimeoutMs: 2000 });
        const res = await conn.exchange({ method: 'GET', path: `/${id}` }, { deadlineMs: 2000 }, host);
        conn.close();
        if (p.action.startsWith('rst')) {
          // Node reports an RST behind unread data as 'end' (libuv); WireConnection must correct it.
          const note = conn.events.find((e) => e.kind === 'rst')?.note ?? '';
          const via = note.startsWith('reset behind') ? 'EOF corrected to RST' : 'ECONNRESET';
          rstVia.set(via, (rstVia.get(via) ?? 0) + 1);
        }
        const framing: FramingSpec = { type: p.format };
        const parsed = parseWhole(framing, res.body, res.bodyReads);
        const got = classifyWireEnd(res, parsed);
        const want = expectedKind(p);
        const label = `trial ${id} ${p.format}/${p.transfer}/${p.action} cut ${p.cut}/${p.body.length}${p.boundaries.has(p.cut) ? ' (boundary)' : ''}`;
        seen.set(`${p.transfer}/${p.action}/${want}`, (seen.get(`${p.transfer}/${p.action}/${want}`) ?? 0) + 1);
        // The classifier can only be right if the recorder saw what the server sent.
        if (!res.body.equals(p.body.subarray(0, p.cut)))
          failures.push(`${label}: received ${res.body.length} body bytes, expected ${p.cut}`);
        const wantEnd = p.action.startsWith('rst') ? 'rst' : p.action === 'fin+last-chunk' || p.transfer === 'close' ? 'complete' : 'fin';
        if (res.end !== wantEnd) failures.push(`${label}: WireResponse.end ${res.end}, expected ${wantEnd} (${res.errors.join('; ')})`);
        if (got.kind !== want) failures.push(`${label}: classified ${got.kind} (${got.why}), expected ${want}`);
        if (parsed.problems.length > 0) failures.push(`${label}: parser problems ${parsed.problems.join('; ')}`);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(failures, `seed ${seed}; RSTs surfaced as ${JSON.stringify([...rstVia])}`).to.deep.equal([]);
    // Every end the table distinguishes for these transfers occurred at least once.
    for (const kind of ['orderly-end', 'truncated', 'aborted', 'ambiguous']) {
      expect(
        [...seen.keys()].some((k) => k.endsWith(`/${kind}`)),
        `no trial expected ${kind}: ${[...seen.keys()].join(', ')}`,
      ).to.equal(true);
    }
  });
});
