import { faultCases, MATRIX_TIMEOUT_MS } from '../helpers/matrix.js';

describe('requirement × intermediary × fault matrix: the bosh faults', function () {
  this.timeout(MATRIX_TIMEOUT_MS);
  faultCases('bosh');
});
