/** Links into the text a requirement cites (reports and `pushspec list` show them). */
export function rfc(n: number, section: string): string {
  return `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;
}

/** The Bayeux 1.0 specification as CometD publishes it (requirements cite its sections by title). */
export const BAYEUX_SPEC = 'https://docs.cometd.org/current/reference/#_bayeux';
