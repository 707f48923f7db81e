import { expect } from 'chai';
import { fieldList, fieldTokens, fieldValue, fieldValues, hasField, withoutFields } from '../../runner/http/fields.js';
import { listMembers, parseDirectives, splitOutsideQuotes, unquote } from '../../runner/http/lists.js';
import { endToEnd } from '../../runner/http/hop-by-hop.js';

describe('runner/http field access (RFC 9110 §5)', () => {
  const fields: Array<[string, string]> = [
    ['Cache-Control', 'no-cache="Set-Cookie, X-Trace"'],
    ['cache-control', 'max-age=60'],
    ['Connection', 'Keep-Alive, X-Drop'],
    ['X-Drop', '1'],
    ['Keep-Alive', 'timeout=5'],
    ['Via', '1.1 a'],
  ];

  it('looks names up case-insensitively and combines repeated lines with ", " (§5.1, §5.3)', () => {
    expect(fieldValues(fields, 'CACHE-CONTROL')).to.deep.equal(['no-cache="Set-Cookie, X-Trace"', 'max-age=60']);
    expect(fieldValue(fields, 'Cache-Control')).to.equal('no-cache="Set-Cookie, X-Trace", max-age=60');
    expect(fieldValue(fields, 'absent')).to.equal(undefined);
    expect(hasField(fields, 'via')).to.equal(true);
  });

  it('splits lists only outside quoted strings (§5.6.1, §5.6.4)', () => {
    expect(fieldList(fields, 'cache-control')).to.deep.equal(['no-cache="Set-Cookie, X-Trace"', 'max-age=60']);
    expect(listMembers(' a, ,"b,\\"c", d ')).to.deep.equal(['a', '"b,\\"c"', 'd']);
    expect(splitOutsideQuotes('text/plain; q="a;b"', ';')).to.deep.equal(['text/plain', ' q="a;b"']);
    expect(unquote('"a\\"b"')).to.equal('a"b');
    expect(unquote('token')).to.equal('token');
    expect(fieldTokens(fields, 'connection')).to.deep.equal(['keep-alive', 'x-drop']);
  });

  it('reads name=value members, the first occurrence winning', () => {
    const d = parseDirectives('No-Cache="Set-Cookie, X-Trace", max-age=60, max-age=5, public');
    expect([...d]).to.deep.equal([
      ['no-cache', 'Set-Cookie, X-Trace'],
      ['max-age', '60'],
      ['public', true],
    ]);
    expect(parseDirectives(undefined).size).to.equal(0);
  });

  it('drops hop-by-hop fields and the ones Connection names (RFC 9110 §7.6.1), keeping order', () => {
    expect(endToEnd(fields)).to.deep.equal([fields[0], fields[1], fields[5]]);
    expect(endToEnd(fields, 'via').map(([n]) => n)).to.deep.equal(['Cache-Control', 'cache-control']);
    expect(withoutFields(fields, 'CACHE-control', 'via')).to.have.length(3);
  });
});
