import { corpusCases } from './corpus-cases.js';

corpusCases('engineio');
