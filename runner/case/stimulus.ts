import type { Manifest } from '../manifest/types.js';
import type { PublishAdapter, PublishResult } from '../publish.js';
import { makeToken, newTag, randomChannel } from '../tokens.js';
import { Inconclusive } from '../verdict.js';
import type { Recorder } from './recorder.js';

/**
 * How a case makes events happen and tells them apart: its channel, tokens unique to the case,
 * and the publish hook. A child context (another chain) shares its parent's stimulus, so tokens
 * stay unique across both and the publish guard is the case's.
 */
export class Stimulus {
  readonly channel: string;

  constructor(
    private readonly manifest: Manifest,
    private readonly publisher: PublishAdapter | null,
    private readonly publishProblem: string | null,
    /** false when events reach every subscriber and the case was scheduled among quiet cases */
    private readonly mayPublish: boolean,
    private readonly signal: AbortSignal,
    private readonly tokens = new TokenSource(),
  ) {
    this.channel = this.newChannel();
  }

  /** For another chain of the same case: a channel of its own, the same tokens and publish guard. */
  forChain(): Stimulus {
    return new Stimulus(this.manifest, this.publisher, this.publishProblem, this.mayPublish, this.signal, this.tokens);
  }

  newChannel(): string {
    return this.manifest.channels === false ? 'default' : randomChannel();
  }

  nextToken(): string {
    return this.tokens.next();
  }

  /** Publishes or throws Inconclusive: no hook, or a failing hook, is never the server's verdict. */
  async publish(channel: string, payload: string, recorder: Recorder, via: string): Promise<PublishResult> {
    // A harness bug, not a verdict: a quiet case's publish would wake other cases' polls.
    if (!this.mayPublish)
      throw new Error(
        `harness: ${via} case publishes but was scheduled as not publishing (mark its requirement needsPublish or mayPublish)`,
      );
    const p = this.publisher;
    if (!p) throw new Inconclusive(this.publishProblem ?? 'no publish hook in the manifest: cannot make an event happen');
    const r = await p.publish(channel, payload, this.signal);
    recorder.note(
      `publish ${payload.slice(0, 40)}${payload.length > 40 ? '…' : ''} → ${r.ok ? `ok (${r.status})` : 'failed'} in ${(r.tEnd - r.tStart).toFixed(1)} ms`,
      r.tStart,
      { kind: 'publish' },
    );
    if (!r.ok) throw new Inconclusive(r.error ?? 'publish failed');
    return r;
  }
}

/** Tokens unique to one case (a random tag and a counter), whichever chain asks. */
class TokenSource {
  private readonly tag = newTag();
  private seq = 0;

  next(): string {
    this.seq += 1;
    return makeToken(this.tag, this.seq);
  }
}
