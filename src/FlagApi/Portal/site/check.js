import { startPage } from './portal.js';

startPage();
