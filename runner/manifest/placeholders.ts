/**
 * Placeholders in manifest templates. `{channel}` and `{payload}` are the only ones; the syntax is
 * `{identifier}` so JSON bodies such as `{"text":"{payload}"}` keep their literal braces.
 */

export const KNOWN_PLACEHOLDERS = ['channel', 'payload'] as const;
export type PlaceholderName = (typeof KNOWN_PLACEHOLDERS)[number];

export interface PlaceholderValues {
  channel: string;
  payload?: string;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;

/** Names of the placeholders in a template, in order of appearance, repeats included. */
export function findPlaceholders(template: string): string[] {
  return Array.from(template.matchAll(PLACEHOLDER), (m) => m[1] ?? '');
}

/**
 * Fill a template. 'url' percent-encodes the values (for URLs and query strings); 'raw' inserts
 * them as they are (bodies, headers, command arguments). Unknown placeholders stay literal: the
 * loader rejects them, so one here means the template never went through it.
 */
export function fillTemplate(template: string, values: PlaceholderValues, encoding: 'url' | 'raw'): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    let v: string | undefined;
    if (name === 'channel') v = values.channel;
    else if (name === 'payload') {
      // Sending a literal "{payload}" would look like a server that loses events: fail loudly instead.
      if (values.payload === undefined) throw new Error(`template ${JSON.stringify(template)} needs {payload} but none was given`);
      v = values.payload;
    }
    if (v === undefined) return whole;
    return encoding === 'url' ? encodeURIComponent(v) : v;
  });
}
