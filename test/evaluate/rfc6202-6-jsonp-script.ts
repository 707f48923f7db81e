import { jsonpSeparators } from '../../suites/rfc6202/6-jsonp-script.js';
import type { JsonpScriptProbe } from '../../suites/rfc6202/6-jsonp-script.js';
import { canned } from './canned.js';

const recorded = 'reference fixture';
// recorded: pushspec run --fixture --only sec.jsonp-separators → pass; --fault lp-jsonp-raw-separators → warn
const escaped: JsonpScriptProbe = {
  param: 'callback',
  status: 200,
  end: 'complete',
  contentType: 'application/javascript',
  jsonp: true,
  carriesEvent: true,
  raw: 0,
  escaped: 2,
  bodyStart: '"pushspecJsonp({\\"events\\":[{\\"id\\":1,\\"data\\":\\"pst-9sovvecl-0001-z\\\\u2028\\\\u2029pst-9sov"',
};
const raw: JsonpScriptProbe = {
  ...escaped,
  raw: 2,
  escaped: 0,
  bodyStart: '"pushspecJsonp({\\"events\\":[{\\"id\\":1,\\"data\\":\\"pst-u86tevfu-0001-z\u2028\u2029pst-u86tevfu-0001-"',
};
const json = (param: string): JsonpScriptProbe => ({
  param,
  status: 200,
  end: 'complete',
  contentType: 'application/json',
  jsonp: false,
  carriesEvent: true,
  raw: 2,
  escaped: 0,
  bodyStart: '"{\\"events\\":[]}"',
});

export const jsonpScriptCases = [
  canned(jsonpSeparators, [
    { name: 'escaped', recorded, observation: { probes: [escaped] }, outcome: 'pass', actual: 'escaped as \\u2028/\\u2029' },
    { name: 'raw in the script', recorded, observation: { probes: [raw] }, outcome: 'fail', actual: 'SyntaxError' },
    {
      name: 'no JSONP offered (plain JSON, raw separators are fine there)',
      observation: { probes: [json('callback'), json('jsonp')] },
      outcome: 'skip',
      actual: 'no JSONP offered',
    },
    { name: 'JSONP on jsonp= only', observation: { probes: [json('callback'), { ...raw, param: 'jsonp' }] }, outcome: 'fail' },
    {
      name: 'JSONP without the event',
      observation: { probes: [{ ...escaped, carriesEvent: false, escaped: 0 }] },
      outcome: 'inconclusive',
      actual: 'without the published event',
    },
    {
      name: 'no answer at all',
      observation: {
        probes: [
          { ...json('callback'), status: null, end: 'timeout' },
          { ...json('jsonp'), status: null, end: 'timeout' },
        ],
      },
      outcome: 'inconclusive',
    },
    {
      name: 'encoded some other way (neither raw nor escaped)',
      observation: { probes: [{ ...escaped, escaped: 0 }] },
      outcome: 'pass',
      actual: 'neither character raw',
    },
  ]),
];
