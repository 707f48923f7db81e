import type { Requirement } from '../runner/requirement.js';
import { longPollingRequirements } from './rfc6202/2-long-polling.js';
import { bestPracticeRequirements } from './rfc6202/5-best-practices.js';
import { streamingRequirements } from './rfc6202/3-streaming.js';
import { sseRequirements } from './whatwg-html/9.2-server-sent-events.js';
import { intermediaryRequirements } from './rfc6202/5-intermediaries.js';
import { securityRequirements } from './rfc6202/6-security.js';
import { hostRequirements } from './rfc9112/3.2-host.js';
import { versionRequirements } from './rfc9112/2.3-http-version.js';
import { transferEncodingRequirements } from './rfc9112/6.1-transfer-encoding.js';
import { bodyLengthRequirements } from './rfc9112/6.3-message-body-length.js';
import { associatingRequirements } from './rfc9112/9.2-associating-responses.js';
import { persistenceRequirements } from './rfc9112/9.3-persistence.js';
import { http1Requirements } from './rfc9112/9.6-connection-close.js';
import { h2StreamRequirements } from './rfc9113/5.1-streams.js';
import { h2FlowControlRequirements } from './rfc9113/5.2-flow-control.js';
import { h2FieldRequirements } from './rfc9113/8.2-fields.js';
import { semanticsRequirements } from './rfc9110/semantics.js';
import { bayeuxRequirements } from './bayeux/1.0.js';
import { boshRequirements } from './xep0124/bosh.js';
import { boshCrossOriginRequirements } from './xep0124/cross-origin.js';
import { boshIntermediaryRequirements } from './xep0124/intermediaries.js';
import { boshLifetimeRequirements } from './xep0124/session-lifetime.js';
import { bayeuxIntermediaryRequirements } from './bayeux/intermediaries.js';

/** Every requirement, in report order (by document, then section). */
export const REQUIREMENTS: readonly Requirement[] = [
  ...longPollingRequirements,
  ...streamingRequirements,
  ...bestPracticeRequirements,
  ...intermediaryRequirements,
  ...securityRequirements,
  ...semanticsRequirements,
  ...versionRequirements,
  ...hostRequirements,
  ...transferEncodingRequirements,
  ...bodyLengthRequirements,
  ...associatingRequirements,
  ...persistenceRequirements,
  ...http1Requirements,
  ...h2StreamRequirements,
  ...h2FlowControlRequirements,
  ...h2FieldRequirements,
  ...sseRequirements,
  ...bayeuxRequirements,
  ...bayeuxIntermediaryRequirements,
  ...boshRequirements,
  ...boshLifetimeRequirements,
  ...boshCrossOriginRequirements,
  ...boshIntermediaryRequirements,
];
