import { replayRegressions } from './helpers/sim-regressions.js';

// The second share of the regressions: see replayRegressions.
replayRegressions(1, 3);
