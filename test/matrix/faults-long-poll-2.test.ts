import { faultCases, MATRIX_TIMEOUT_MS } from '../helpers/matrix.js';

describe('requirement × intermediary × fault matrix: the longPoll faults (part 2 of 2)', function () {
  this.timeout(MATRIX_TIMEOUT_MS);
  faultCases('longPoll', '1.1', { index: 1, of: 2 });
});
