import type { Requirement } from '../runner/requirement.js';
import { longPollingRequirements } from './rfc6202/2-long-polling.js';
import { idleRepollRequirements } from './rfc6202/2-idle-repoll.js';
import { gapLatencyRequirements } from './rfc6202/2-gap-latency.js';
import { bestPracticeRequirements } from './rfc6202/5-best-practices.js';
import { streamingRequirements } from './rfc6202/3-streaming.js';
import { sseRequirements } from './whatwg-html/9.2-server-sent-events.js';
import { sseRequestRequirements } from './whatwg-html/9.2.2-eventsource-request.js';
import { sseStopRequirements } from './whatwg-html/9.2.2-stop-204.js';
import { sseFormatRequirements } from './whatwg-html/9.2.5-event-stream-format.js';
import { sseDataRequirements } from './whatwg-html/9.2.6-data-field.js';
import { intermediaryRequirements } from './rfc6202/5-intermediaries.js';
import { securityRequirements } from './rfc6202/6-security.js';
import { jsonpScriptRequirements } from './rfc6202/6-jsonp-script.js';
import { hostRequirements } from './rfc9112/3.2-host.js';
import { versionRequirements } from './rfc9112/2.3-http-version.js';
import { transferEncodingRequirements } from './rfc9112/6.1-transfer-encoding.js';
import { bodyLengthRequirements } from './rfc9112/6.3-message-body-length.js';
import { associatingRequirements } from './rfc9112/9.2-associating-responses.js';
import { persistenceRequirements } from './rfc9112/9.3-persistence.js';
import { pipeliningRequirements } from './rfc9112/9.3.2-pipelining.js';
import { timeoutRequirements } from './rfc9112/9.5-failures-timeouts.js';
import { http1Requirements } from './rfc9112/9.6-connection-close.js';
import { h2StreamRequirements } from './rfc9113/5.1-streams.js';
import { h2FlowControlRequirements } from './rfc9113/5.2-flow-control.js';
import { h2FieldRequirements } from './rfc9113/8.2-fields.js';
import { semanticsRequirements } from './rfc9110/semantics.js';
import { bayeuxRequirements } from './bayeux/1.0.js';
import { bayeuxHandshakeRequirements } from './bayeux/1.0-handshake.js';
import { bayeuxSessionRequirements } from './bayeux/1.0-session.js';
import { bayeuxIdRequirements } from './bayeux/1.0-ids.js';
import { boshRequirements } from './xep0124/bosh.js';
import { boshCrossOriginRequirements } from './xep0124/cross-origin.js';
import { boshIntermediaryRequirements } from './xep0124/intermediaries.js';
import { boshLifetimeRequirements } from './xep0124/session-lifetime.js';
import { boshSecurityRequirements } from './xep0124/security.js';
import { boshErrorRequirements } from './xep0124/errors.js';
import { boshResendRequirements } from './xep0124/resend.js';
import { bayeuxIntermediaryRequirements } from './bayeux/intermediaries.js';
import { CLIENT_REQUIREMENTS } from './clients/eventsource.js';

/** Every requirement, in report order (by document, then section). */
export const REQUIREMENTS: readonly Requirement[] = [
  ...longPollingRequirements,
  ...idleRepollRequirements,
  ...gapLatencyRequirements,
  ...streamingRequirements,
  ...bestPracticeRequirements,
  ...intermediaryRequirements,
  ...securityRequirements,
  ...jsonpScriptRequirements,
  ...semanticsRequirements,
  ...versionRequirements,
  ...hostRequirements,
  ...transferEncodingRequirements,
  ...bodyLengthRequirements,
  ...associatingRequirements,
  ...persistenceRequirements,
  ...pipeliningRequirements,
  ...timeoutRequirements,
  ...http1Requirements,
  ...h2StreamRequirements,
  ...h2FlowControlRequirements,
  ...h2FieldRequirements,
  ...sseRequirements,
  ...sseRequestRequirements,
  ...sseStopRequirements,
  ...sseFormatRequirements,
  ...sseDataRequirements,
  ...bayeuxRequirements,
  ...bayeuxHandshakeRequirements,
  ...bayeuxSessionRequirements,
  ...bayeuxIdRequirements,
  ...bayeuxIntermediaryRequirements,
  ...boshRequirements,
  ...boshResendRequirements,
  ...boshLifetimeRequirements,
  ...boshCrossOriginRequirements,
  ...boshErrorRequirements,
  ...boshSecurityRequirements,
  ...boshIntermediaryRequirements,
  ...CLIENT_REQUIREMENTS,
];
