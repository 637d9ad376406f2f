import { runMerge } from '../merge-by-digest/operation';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runMerge(inputs, report) });
