import { corpusCases } from './corpus-cases.js';

corpusCases('sse-channel');
