import { expect } from 'chai';
import { faultCases, judge, line, MATRIX_TIMEOUT_MS } from '../helpers/matrix.js';

describe('requirement × fault matrix over HTTP/2 (cleartext, prior knowledge)', function () {
  this.timeout(MATRIX_TIMEOUT_MS);

  it('the reference server passes every requirement judged straight to it over HTTP/2, and HTTP/1.1-only ones are n/a', async () => {
    const results = [...(await judge([], [], 'query', false, '2')).values()].filter((r) => r.via === 'direct');
    const notPass = results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skip');
    expect(notPass.map(line)).to.deep.equal([]);
    const h2 = results.filter((r) => r.id.startsWith('h2.'));
    expect(h2.map((r) => `${r.id}: ${r.verdict}`)).to.have.length.greaterThan(2);
    expect(h2.every((r) => r.verdict === 'pass' && r.protocol === 'h2')).to.equal(true);
    const h1 = results.find((r) => r.id === 'h1.connection-close');
    expect(h1?.verdict).to.equal('skip');
    expect(h1?.actual).to.include('n/a over HTTP/2');
  });

  faultCases('sse', '2');
});
