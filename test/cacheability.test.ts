import { expect } from 'chai';
import { classifyShared } from '../runner/http/cacheability.js';

const judge = (headers: Array<[string, string]>, over: Partial<Parameters<typeof classifyShared>[0]> = {}) =>
  classifyShared({ method: 'GET', status: 200, headers, requestHasAuthorization: false, ...over });

describe('shared-cache storability (RFC 9111 §3)', () => {
  const cases: Array<[string, Array<[string, string]>, boolean, RegExp]> = [
    ['no-store', [['Cache-Control', 'no-store']], false, /no-store/],
    ['no-cache', [['cache-control', 'no-cache']], false, /no-cache/],
    ['private', [['Cache-Control', 'private, max-age=60']], false, /private/],
    ['public max-age', [['Cache-Control', 'public, max-age=60']], true, /max-age=60/],
    ['s-maxage wins', [['Cache-Control', 's-maxage=5, max-age=60']], true, /s-maxage=5/],
    ['max-age=0 still storable (grace)', [['Cache-Control', 'max-age=0']], true, /already stale/],
    ['Expires in the future', [['Expires', new Date(Date.now() + 60_000).toUTCString()]], true, /Expires/],
    ['invalid Expires means expired but storable', [['Expires', '0']], true, /already stale/],
    ['Last-Modified only → heuristic', [['Last-Modified', 'Tue, 01 Jan 2030 00:00:00 GMT']], true, /Last-Modified without Cache-Control/],
    ['nothing at all → heuristic', [], true, /no Cache-Control at all/],
    ['Pragma only is not a control', [['Pragma', 'no-cache']], true, /heuristic|no Cache-Control/],
  ];
  for (const [name, headers, storable, why] of cases) {
    it(`${name}: ${storable ? 'storable' : 'not storable'}`, () => {
      const r = judge(headers);
      expect(r.storable).to.equal(storable);
      expect(r.why).to.match(why);
    });
  }

  it('POST is not storable without explicit freshness and Content-Location', () => {
    expect(judge([], { method: 'POST' }).storable).to.equal(false);
    expect(judge([['Cache-Control', 'max-age=60'], ['Content-Location', '/x']], { method: 'POST' }).storable).to.equal(true);
  });

  it('Authorization keeps it out of shared caches unless public', () => {
    expect(judge([['Cache-Control', 'max-age=60']], { requestHasAuthorization: true }).storable).to.equal(false);
    expect(judge([['Cache-Control', 'public, max-age=60']], { requestHasAuthorization: true }).storable).to.equal(true);
  });

  it('408 has no heuristic freshness, but explicit freshness still makes it storable', () => {
    expect(judge([], { status: 408 }).storable).to.equal(false);
    expect(judge([['Cache-Control', 'max-age=10']], { status: 408 }).storable).to.equal(true);
  });
});
