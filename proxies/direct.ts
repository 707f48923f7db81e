/**
 * direct: a raw TCP pipe, the baseline every other profile is compared with. Bytes, their order,
 * FIN and RST pass unchanged; only the kernel's segmentation may differ.
 */
import { type Hop, Scope } from './hop.js';
import { startTcpHop } from './link.js';

export function direct(): Hop {
  return {
    name: 'direct',
    describe: 'raw TCP pipe: every byte, FIN and RST passes unchanged (the baseline)',
    start: (upstream, options) => startTcpHop({ scope: new Scope(options?.clock), upstream, ...options, hooks: () => ({}) }),
  };
}
