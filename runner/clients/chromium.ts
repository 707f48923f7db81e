/**
 * A real browser as a client (issue 14 item 5): Debian's headless Chromium driven by
 * playwright-core, one browser per run, started on first use. RFC 6202 §3.2 warns that a client
 * library need not hand a partial response to the application; the raw recorder sees the wire,
 * this sees what a page's script is given.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

export const CLIENT_NAMES = ['chromium'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

/** Where the browser is: PUSHSPEC_CHROMIUM, else Debian's package. */
export function chromiumPath(): string {
  return process.env['PUSHSPEC_CHROMIUM'] ?? '/usr/bin/chromium';
}

/** Why Chromium cannot run here, with the remedy; null when it can. */
export function chromiumMissing(): string | null {
  const p = chromiumPath();
  return existsSync(p) ? null : `${p} not found (apt-get install -y chromium, or PUSHSPEC_CHROMIUM=/path/to/chrome)`;
}

/** One headless Chromium for the whole run; each case gets a fresh context (no shared cookies or cache). */
export class BrowserHost {
  private browser: Promise<Browser> | null = null;

  constructor(private readonly ignoreCertificateErrors: boolean) {}

  async context(): Promise<BrowserContext> {
    // Loaded on first use: playwright-core costs ~0.6 s of start-up to every run that asks for no browser.
    this.browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] }),
    );
    const b = await this.browser;
    // --ca and --insecure were already applied by the raw client, which verified the certificate.
    return b.newContext({ ignoreHTTPSErrors: this.ignoreCertificateErrors, serviceWorkers: 'block' });
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = null;
    if (b) await (await b.catch(() => null))?.close();
  }
}
