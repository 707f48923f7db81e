import { dataLeadingSpace, dataMultiline } from '../../suites/whatwg-html/9.2.6-data-field.js';
import { canned } from './canned.js';

const recorded = 'reference fixture';
const lines = ['pst-k7o5tp9i-0001-z-1', 'pst-k7o5tp9i-0001-z-2', 'pst-k7o5tp9i-0001-z-3', 'pst-k7o5tp9i-0001-z-4'];
const [l1 = '', l2 = '', l3 = '', l4 = ''] = lines;
const token = 'pst-0lwprkau-0001-z';

export const sseDataCases = [
  canned(dataMultiline, [
    // recorded: pushspec run --fixture --only sse.data-multiline → pass; --fault sse-data-raw-newlines → fail
    {
      name: 'one data line per payload line',
      recorded,
      observation: { lines, arrived: true, dispatched: [lines.join('\n')], strayLines: [] },
      outcome: 'pass',
      actual: 'dispatched "pst-k7o5tp9i-0001-z-1\\npst',
    },
    {
      name: 'line breaks written raw inside one data value',
      recorded,
      observation: { lines, arrived: true, dispatched: [l1], strayLines: [l2, l3, l4] },
      outcome: 'fail',
      actual: 'went out raw inside a data value',
    },
    {
      // better-sse: JSON-serialised data, the breaks are "\n" escapes
      name: 'payload JSON-encoded by the server',
      observation: { lines, arrived: true, dispatched: [JSON.stringify(lines.join('\n'))], strayLines: [] },
      outcome: 'pass',
      actual: 'the server encodes payloads',
    },
    {
      name: 'wrapped, breaks intact (e.g. a JSON array split on lines)',
      observation: { lines, arrived: true, dispatched: [`a[${lines.join('\n')}]`], strayLines: [] },
      outcome: 'pass',
      actual: "server's own wrapping",
    },
    {
      name: 'split only on LF: the CR-separated line runs on raw',
      observation: { lines, arrived: true, dispatched: [`${l1}\n${l2}\n${l3}`], strayLines: [l4] },
      outcome: 'fail',
      actual: l4,
    },
    {
      name: 'the lines after the first dropped',
      observation: { lines, arrived: true, dispatched: [l1], strayLines: [] },
      outcome: 'fail',
      actual: 'only part of the payload',
    },
    { name: 'accepted and never delivered', observation: { lines, arrived: false, dispatched: [], strayLines: [] }, outcome: 'fail' },
  ]),
  canned(dataLeadingSpace, [
    // recorded: pushspec run --fixture --only sse.data-leading-space → pass; --fault sse-data-no-space → fail
    {
      name: '"data:  x"',
      recorded,
      observation: { payload: ` ${token}`, token, arrived: true, dispatched: [` ${token}`], rawLines: [`data:  ${token}`] },
      outcome: 'pass',
      actual: `dispatched " ${token}"`,
    },
    {
      name: '"data: x" (no separator space)',
      recorded,
      observation: { payload: ` ${token}`, token, arrived: true, dispatched: [token], rawLines: [`data: ${token}`] },
      outcome: 'fail',
      actual: 'the leading space is lost',
    },
    {
      name: 'JSON-encoded payload keeps its space',
      observation: { payload: ` ${token}`, token, arrived: true, dispatched: [`" ${token}"`], rawLines: [`data:" ${token}"`] },
      outcome: 'pass',
      actual: "server's own wrapping",
    },
    {
      name: 'arrived but never dispatched',
      observation: { payload: ` ${token}`, token, arrived: true, dispatched: [], rawLines: [`Data:  ${token}`] },
      outcome: 'inconclusive',
      actual: 'sse.field-names',
    },
    {
      name: 'accepted and never delivered',
      observation: { payload: ` ${token}`, token, arrived: false, dispatched: [], rawLines: [] },
      outcome: 'fail',
    },
  ]),
];
