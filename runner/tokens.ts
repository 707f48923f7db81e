import { randomBytes } from 'node:crypto';

/**
 * Payload tokens: `[A-Za-z0-9-]` only, so no framing or encoding needs to escape them, and
 * fixed-width so no token is a prefix of another. Delivery, loss, duplication and order are
 * judged by finding tokens in received bytes, whatever the server's framing.
 */
const TOKEN = /pst-[a-z0-9]{8}-\d{4}-z/g;

export function newTag(): string {
  return randomBytes(6)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .padEnd(8, '0')
    .slice(0, 8);
}

export function makeToken(caseTag: string, seq: number): string {
  return `pst-${caseTag}-${String(seq).padStart(4, '0')}-z`;
}

/** Pads a token to `bytes` with a character that cannot extend the token pattern. */
export function padPayload(token: string, bytes: number): string {
  return bytes <= token.length ? token : token + '.'.repeat(bytes - token.length);
}

/** Every token in the bytes, in order of appearance (repeats included). */
export function findTokens(body: Buffer | string): string[] {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  return text.match(TOKEN) ?? [];
}

export function randomChannel(): string {
  return `ch${newTag()}${newTag()}`;
}
