export type {
  BayeuxBlock,
  BoshBlock,
  CommandPublish,
  Cursor,
  CursorFrom,
  Framing,
  HeaderMap,
  HttpPublish,
  LongPollBlock,
  Manifest,
  Publish,
  SseBlock,
  StreamBlock,
  TransportName,
} from './types.js';
export { isCommandPublish } from './types.js';
export { ManifestError, MANIFEST_ERROR_CODE, formatManifestProblems, isManifestError, type ManifestProblem } from './errors.js';
export { loadManifestFile, manifestProblems, parseManifestText, targetSchemaPath, validateManifest, SCHEMA_ID } from './load.js';
export { buildQuickManifest, QUICK_FLAGS, type QuickOptions } from './quick.js';
export { fillTemplate, findPlaceholders, KNOWN_PLACEHOLDERS, type PlaceholderName, type PlaceholderValues } from './placeholders.js';
