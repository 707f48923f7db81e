import type { Outcome } from '../verdict.js';

/**
 * Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org) or the
 * terminal says it cannot (TERM=dumb); a pipe or a CI log gets plain text.
 */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

const CODES: Record<Outcome, string> = { pass: '32', fail: '31', warn: '33', inconclusive: '36', skip: '2', error: '35' };

export type Paint = (outcome: Outcome, text: string) => string;

export function painter(colour: boolean): Paint {
  return colour ? (o, t) => `\u001b[${CODES[o]}m${t}\u001b[0m` : (_o, t) => t;
}
