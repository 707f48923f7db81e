import { SaxesParser } from 'saxes';

/**
 * Why `text` is not one well-formed, namespace-well-formed XML document (XML 1.0 §2.1,
 * Namespaces in XML §7), or null. xmlbuilder2's reader repairs unclosed tags silently, so a
 * verdict on well-formedness needs a strict parser; saxes stops at the first violation.
 */
export function xmlProblem(text: string): string | null {
  const parser = new SaxesParser({ xmlns: true });
  let problem: string | null = null;
  parser.on('error', (e) => {
    problem ??= e.message;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    problem ??= e instanceof Error ? e.message : String(e);
  }
  return problem;
}
