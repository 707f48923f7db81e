/**
 * HTTP/2 frames as they cross the wire (RFC 9113 §4.1): a splitter that cuts a byte stream into
 * frames without interpreting them, so the recorder can timestamp every HEADERS, DATA,
 * RST_STREAM, GOAWAY, SETTINGS and PING exactly when its last byte arrived, independently of what
 * the HTTP/2 library under it makes of them.
 */

export const FRAME_TYPES = [
  'DATA',
  'HEADERS',
  'PRIORITY',
  'RST_STREAM',
  'SETTINGS',
  'PUSH_PROMISE',
  'PING',
  'GOAWAY',
  'WINDOW_UPDATE',
  'CONTINUATION',
] as const;
export type FrameTypeName = (typeof FRAME_TYPES)[number];

export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** RFC 9113 §7 error codes, by value. */
const ERROR_CODES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;

export function errorCodeName(code: number): string {
  return ERROR_CODES[code] ?? `0x${code.toString(16)}`;
}

/** RFC 9113 §6.5.2 setting identifiers, by value. */
const SETTING_NAMES: Record<number, string> = {
  1: 'HEADER_TABLE_SIZE',
  2: 'ENABLE_PUSH',
  3: 'MAX_CONCURRENT_STREAMS',
  4: 'INITIAL_WINDOW_SIZE',
  5: 'MAX_FRAME_SIZE',
  6: 'MAX_HEADER_LIST_SIZE',
  8: 'ENABLE_CONNECT_PROTOCOL',
};

export interface H2Frame {
  type: number;
  /** the RFC name, or `0xNN` for an extension frame type (ignored, RFC 9113 §5.5) */
  name: string;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** The client connection preface (RFC 9113 §3.4), sent before the client's first frame. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Cuts a byte stream into whole frames; bytes of a partial frame wait for the next feed. */
export class FrameSplitter {
  private pending = Buffer.alloc(0);
  private prefaceLeft: number;

  /** `skipPreface`: the stream starts with the client preface (the client's own direction). */
  constructor(skipPreface: boolean) {
    this.prefaceLeft = skipPreface ? CLIENT_PREFACE.length : 0;
  }

  feed(bytes: Buffer): H2Frame[] {
    let buf = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    if (this.prefaceLeft > 0) {
      const skip = Math.min(this.prefaceLeft, buf.length);
      this.prefaceLeft -= skip;
      buf = buf.subarray(skip);
    }
    const frames: H2Frame[] = [];
    while (buf.length >= 9) {
      const length = buf.readUIntBE(0, 3);
      if (buf.length < 9 + length) break;
      const type = buf[3] ?? 0;
      frames.push({
        type,
        name: FRAME_TYPES[type] ?? `0x${type.toString(16)}`,
        flags: buf[4] ?? 0,
        streamId: buf.readUInt32BE(5) & 0x7fffffff,
        payload: Buffer.from(buf.subarray(9, 9 + length)),
      });
      buf = buf.subarray(9 + length);
    }
    this.pending = Buffer.from(buf);
    return frames;
  }
}

/** A DATA or HEADERS payload without its padding (and HEADERS without its priority fields). */
export function framePayload(f: H2Frame): Buffer {
  let p = f.payload;
  let pad = 0;
  if ((f.type === 0 || f.type === 1) && (f.flags & FLAG.PADDED) !== 0) {
    pad = p[0] ?? 0;
    p = p.subarray(1);
  }
  if (f.type === 1 && (f.flags & FLAG.PRIORITY) !== 0) p = p.subarray(5);
  return p.subarray(0, Math.max(0, p.length - pad));
}

export function settingsOf(f: H2Frame): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 0; i + 6 <= f.payload.length; i += 6) {
    const id = f.payload.readUInt16BE(i);
    out.push([SETTING_NAMES[id] ?? `0x${id.toString(16)}`, f.payload.readUInt32BE(i + 2)]);
  }
  return out;
}

/** One line per frame for the timeline, e.g. `DATA stream 1, 9 bytes, END_STREAM`. */
export function describeFrame(f: H2Frame): string {
  const bits: string[] = [f.name, f.streamId === 0 ? 'connection' : `stream ${f.streamId}`];
  const flag = (bit: number, name: string): void => {
    if ((f.flags & bit) !== 0) bits.push(name);
  };
  switch (f.name) {
    case 'DATA':
      bits.push(`${framePayload(f).length} bytes`);
      flag(FLAG.END_STREAM, 'END_STREAM');
      break;
    case 'HEADERS':
      bits.push(`${f.payload.length}-byte block`);
      flag(FLAG.END_STREAM, 'END_STREAM');
      flag(FLAG.END_HEADERS, 'END_HEADERS');
      break;
    case 'CONTINUATION':
      flag(FLAG.END_HEADERS, 'END_HEADERS');
      break;
    case 'RST_STREAM':
      bits.push(errorCodeName(f.payload.length >= 4 ? f.payload.readUInt32BE(0) : -1));
      break;
    case 'GOAWAY': {
      const last = f.payload.length >= 4 ? f.payload.readUInt32BE(0) & 0x7fffffff : -1;
      const code = f.payload.length >= 8 ? f.payload.readUInt32BE(4) : -1;
      const debug = f.payload.subarray(8).toString('latin1').slice(0, 120);
      bits.push(`last stream ${last}`, errorCodeName(code), ...(debug === '' ? [] : [JSON.stringify(debug)]));
      break;
    }
    case 'SETTINGS':
      if ((f.flags & FLAG.ACK) !== 0) bits.push('ACK');
      else
        bits.push(
          settingsOf(f)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || '(defaults)',
        );
      break;
    case 'PING':
      flag(FLAG.ACK, 'ACK');
      break;
    case 'WINDOW_UPDATE':
      bits.push(`+${f.payload.length >= 4 ? f.payload.readUInt32BE(0) & 0x7fffffff : 0}`);
      break;
  }
  return bits.join(', ');
}

/** RST_STREAM and GOAWAY carry an error code (RFC 9113 §6.4, §6.8). */
export function frameErrorCode(f: H2Frame): number | null {
  if (f.name === 'RST_STREAM' && f.payload.length >= 4) return f.payload.readUInt32BE(0);
  if (f.name === 'GOAWAY' && f.payload.length >= 8) return f.payload.readUInt32BE(4);
  return null;
}

export function goawayLastStream(f: H2Frame): number {
  return f.payload.length >= 4 ? f.payload.readUInt32BE(0) & 0x7fffffff : 0;
}
