import type { Requirement } from '../runner/requirement.js';

/** Links into the text a requirement cites (reports and `pushspec list` show them). */
export function rfc(n: number, section: string): string {
  return `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;
}

/** The Bayeux 1.0 specification as CometD publishes it (requirements cite its sections by title). */
export const BAYEUX_SPEC = 'https://docs.cometd.org/current/reference/#_bayeux';

/**
 * What every Bayeux 1.0 row of 1.0-handshake.ts and 1.0-session.ts shares: the document, its link,
 * the transport, and no publish hook (the Bayeux driver publishes as a second client).
 */
export const BAYEUX_ROW: Pick<Requirement, 'spec' | 'sources' | 'transports' | 'needsPublish'> = {
  spec: 'Bayeux 1.0',
  sources: [BAYEUX_SPEC],
  transports: ['bayeux'],
  needsPublish: false,
};
