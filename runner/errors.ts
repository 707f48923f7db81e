/** Harness-level failures: nothing could be judged. The CLI maps them to exit code 2. */
export class HarnessError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly code: 'PUSHSPEC_E_UNREACHABLE' | 'PUSHSPEC_E_TLS' | 'PUSHSPEC_E_USAGE' | 'PUSHSPEC_E_WRITE' | 'PUSHSPEC_E_INTERNAL',
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}
