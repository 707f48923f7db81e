import { expect } from 'chai';
import { entityTagProblem, httpDateProblem, mediaTypeProblem } from '../runner/http/field-syntax.js';

describe('RFC 9110 field grammar', () => {
  it('accepts strong and weak entity-tags and rejects unquoted ones (§8.8.3)', () => {
    for (const ok of ['"7"', 'W/"7"', '""', '"[0],-"', '"a#b"']) expect(entityTagProblem(ok), ok).to.equal(null);
    // nchan's tags: a bare number and its compound form.
    expect(entityTagProblem('0')).to.match(/not an entity-tag.*"0", or W\/"0"/);
    expect(entityTagProblem('[2],0')).to.match(/not an entity-tag/);
    expect(entityTagProblem('W/7')).to.match(/not an entity-tag/);
    expect(entityTagProblem('"a b"')).to.match(/U\+0020/);
    expect(entityTagProblem('"a"b"')).to.match(/U\+0022/);
  });

  it('accepts IMF-fixdate only, as senders must generate it (§5.6.7)', () => {
    expect(httpDateProblem('Wed, 02 Dec 2026 03:06:22 GMT')).to.equal(null);
    for (const bad of [
      'Wednesday, 02-Dec-26 03:06:22 GMT',
      'Wed Dec  2 03:06:22 2026',
      'Wed, 2 Dec 2026 03:06:22 GMT',
      'Wed, 02 Dec 2026 03:06:22 UTC',
      'Wed, 32 Dec 2026 03:06:22 GMT',
      '',
    ]) {
      expect(httpDateProblem(bad), bad).to.be.a('string');
    }
  });

  it('checks the media type grammar, parameters included (§8.3.1, §5.6.6)', () => {
    for (const ok of [
      'text/event-stream',
      'text/event-stream;charset=UTF-8',
      'text/event-stream; charset=utf-8',
      'multipart/mixed; boundary="a/b"',
      'application/x-ndjson',
      'text/plain; a=1; b="x; y"',
    ]) {
      expect(mediaTypeProblem(ok), ok).to.equal(null);
    }
    // nchan's multipart boundary sometimes holds a "/", which a token cannot.
    expect(mediaTypeProblem('multipart/mixed; boundary=OdQW/WgJ')).to.match(/boundary must be a token or a quoted-string/);
    expect(mediaTypeProblem('text')).to.match(/type "\/" subtype/);
    expect(mediaTypeProblem('text/plain; charset')).to.match(/not name=value/);
    expect(mediaTypeProblem('text/plain; a="x')).to.match(/unterminated/);
  });
});
