/**
 * The transports that push over one HTTP response (long poll, stream, SSE), in report order,
 * with the words verdicts use for them: shared by the checks that sample each declared one.
 */
import type { TransportName } from '../../runner/manifest/types.js';

export type PushTransport = Extract<TransportName, 'longPoll' | 'stream' | 'sse'>;

export const PUSH_TRANSPORTS: PushTransport[] = ['longPoll', 'stream', 'sse'];

export const PUSH_LABEL: Record<PushTransport, string> = { longPoll: 'long poll', stream: 'stream', sse: 'SSE' };
