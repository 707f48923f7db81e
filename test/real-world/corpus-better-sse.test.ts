import { corpusCases } from './corpus-cases.js';

corpusCases('better-sse');
