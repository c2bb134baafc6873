import { replayRegressions } from './helpers/sim-regressions.js';

// The third share of the regressions: see replayRegressions.
replayRegressions(2, 3);
