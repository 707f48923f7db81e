import { faultCases, MATRIX_TIMEOUT_MS } from '../helpers/matrix.js';

// The long-poll faults are the most numerous: dealt over two files so two workers share them.
describe('requirement × intermediary × fault matrix: the longPoll faults (part 1 of 2)', function () {
  this.timeout(MATRIX_TIMEOUT_MS);
  faultCases('longPoll', '1.1', { index: 0, of: 2 });
});
