import { expect } from 'chai';
import { parseWhole } from '../runner/framing/index.js';

/** Suites judge framing problems on their codes (issue 9): every problem text has its code, in order. */
describe('framing problem codes', () => {
  it('SSE: each problem carries its code and, for a field name, the field it meant', () => {
    const r = parseWhole({ type: 'sse' }, Buffer.from('Retry: 5\nretry: 5s\nid: a\u0000b\n\uFEFFdata: x\n Data: y\n\n'));
    expect(r.findings.map((p) => [p.code, p.field])).to.deep.equal([
      ['field-name-mismatch', 'retry'],
      ['retry-not-digits', undefined],
      ['id-null', undefined],
      ['bom-in-line', undefined],
      ['field-name-mismatch', 'data'],
    ]);
    expect(r.problems).to.deep.equal(r.findings.map((p) => p.text));
  });

  it('NDJSON, multipart, length-prefixed and chunks have codes too', () => {
    expect(parseWhole({ type: 'ndjson' }, Buffer.from('{"a":1}\nnope\n')).findings.map((p) => p.code)).to.deep.equal(['not-json']);
    expect(parseWhole({ type: 'length-prefixed' }, Buffer.from('x\n')).findings.map((p) => p.code)).to.deep.equal([
      'length-prefix-expected',
    ]);
    expect(parseWhole({ type: 'chunks' }, Buffer.from('a')).findings.map((p) => p.code)).to.deep.equal(['chunk-delimited']);
  });
});
