import type { Cursor } from '../manifest/types.js';
import type { WireResponse } from '../wire/index.js';
import { header, headerAll } from '../wire/index.js';

/**
 * Client-side state a long-poll client carries from one response to the next poll: the
 * declared cursor plus cookies, as a browser would keep them.
 */
export class CursorState {
  private query: string | null = null;
  private etag: string | null = null;
  private lastModified: string | null = null;
  private lastEventId: string | null = null;
  private readonly cookies = new Map<string, string>();
  /** why the cursor could not be read from the last response (evidence for the verdict) */
  problem: string | null = null;

  constructor(private readonly cursor: Cursor) {}

  /** Applies the cursor to the next request. */
  apply(url: URL, headers: Array<[string, string]>): void {
    const c = this.cursor;
    if (c.type === 'query' && this.query !== null) url.searchParams.set(c.param, this.query);
    // RFC 9111 §4.3.1: a validating client sends every validator it has. Servers such as nchan
    // key their cursor on the pair and ignore If-None-Match alone, so one is not enough.
    if (c.type === 'etag') {
      if (this.etag !== null) headers.push(['If-None-Match', this.etag]);
      if (this.lastModified !== null) headers.push(['If-Modified-Since', this.lastModified]);
    }
    if (c.type === 'last-event-id' && this.lastEventId !== null) headers.push(['Last-Event-ID', this.lastEventId]);
    if (this.cookies.size > 0) headers.push(['Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')]);
  }

  get hasValue(): boolean {
    const c = this.cursor;
    return (
      (c.type === 'query' && this.query !== null) ||
      (c.type === 'etag' && (this.etag ?? this.lastModified) !== null) ||
      (c.type === 'last-event-id' && this.lastEventId !== null) ||
      (c.type === 'session' && this.cookies.size > 0)
    );
  }

  /** Learns the cursor from a complete 2xx response. */
  update(res: WireResponse): void {
    for (const sc of headerAll(res, 'set-cookie')) {
      const pair = sc.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.problem = null;
    const c = this.cursor;
    if (c.type === 'etag') {
      this.etag = header(res, 'etag') ?? this.etag;
      this.lastModified = header(res, 'last-modified') ?? this.lastModified;
    } else if (c.type === 'query') {
      const v = 'header' in c.from ? header(res, c.from.header) : readJsonPointer(res.body, c.from.json);
      if (v === undefined)
        this.problem = `cursor ${'header' in c.from ? `header ${c.from.header}` : `JSON pointer ${c.from.json}`} not found in the response`;
      else this.query = v;
    } else if (c.type === 'last-event-id') {
      const ids = [...res.body.toString('utf8').matchAll(/^id: ?(.*)$/gm)];
      const last = ids.at(-1)?.[1];
      if (last !== undefined) this.lastEventId = last.replace(/\r$/, '');
    }
  }
}

/** RFC 6901 lookup in a JSON body; scalars are returned as strings. */
export function readJsonPointer(body: Buffer, pointer: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (pointer === '') return scalar(value);
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) value = value[Number(key)];
    else if (value !== null && typeof value === 'object') value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return scalar(value);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
