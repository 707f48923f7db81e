import { corpusCases } from './corpus-cases.js';

corpusCases('prosody');
