/** Links into the text a requirement cites (reports and `pushspec list` show them). */
export function rfc(n: number, section: string): string {
  return `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;
}
