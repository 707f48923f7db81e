/**
 * A manifest the user wrote (or flags they typed) cannot be used. The CLI maps this to exit 2
 * ("nothing judged"), so the message must be enough to fix the input without reading code.
 */

export interface ManifestProblem {
  /** JSON pointer into the manifest ("/longPoll/cursor/type"), "" for the whole document, or a CLI flag ("--publish") */
  path: string;
  /** what is wrong and what is expected */
  message: string;
  /** 1-based position in the file, when the manifest came from a file and the spot is known */
  line?: number;
  column?: number;
}

export const MANIFEST_ERROR_CODE = 'PUSHSPEC_E_MANIFEST';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = MANIFEST_ERROR_CODE;
  readonly exitCode = 2;
  readonly problems: readonly ManifestProblem[];

  constructor(
    /** file name as the user gave it, or "command line" / a flag for quick mode */
    readonly source: string,
    problems: readonly ManifestProblem[],
    /** first line of the message; "cannot read manifest" when there was nothing to validate */
    readonly headline: string = 'invalid manifest',
  ) {
    super(formatManifestProblems(source, headline, problems));
    this.problems = problems;
  }
}

export function formatManifestProblems(source: string, headline: string, problems: readonly ManifestProblem[]): string {
  const lines = problems.map((p) => {
    // Whole-document problems (syntax errors) already say where they are in their message.
    const where = p.line === undefined || p.path === '' ? '' : ` (line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`})`;
    return `  ${p.path === '' ? '' : `${p.path}: `}${p.message}${where}`;
  });
  return [`${source}: ${headline}`, ...lines].join('\n');
}

/** Duck-typed so an error crossing a module-instance boundary (two copies of the package) still counts. */
export function isManifestError(e: unknown): e is ManifestError {
  return e instanceof ManifestError || (e instanceof Error && (e as { code?: unknown }).code === MANIFEST_ERROR_CODE);
}
