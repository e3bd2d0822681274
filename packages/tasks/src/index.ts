/** @trainwatch/tasks: built-in tasks, real models on real data that ship offline. */
import type { Task } from '@trainwatch/core';
import { catchGame } from './catch';
import { cmudictG2p } from './cmudict';
import { mnistCnn, mnistMlp } from './mnist';

export { mnistMlp, mnistCnn, catchGame, cmudictG2p };
export { G2pOptions, g2pCodec } from './cmudict';
export { CatchOptions, policyGradientLoss, renderCatch } from './catch';
export { loadMnist, renderDigit, decodeDigit, DIGIT_NAMES } from './mnist-data';

/** Built-in tasks by the name a config's `task.use` gives. */
export const builtinTasks: Readonly<Record<string, Task>> = {
  [mnistMlp.name]: mnistMlp,
  [mnistCnn.name]: mnistCnn,
  [catchGame.name]: catchGame,
  [cmudictG2p.name]: cmudictG2p,
};
