import { runPromote } from '../operations/promote';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runPromote(inputs, report) });
