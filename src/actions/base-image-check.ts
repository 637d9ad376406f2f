import { runBaseCheck } from '../operations/base-check';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runBaseCheck(inputs, report) });
