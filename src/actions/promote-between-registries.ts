import { runPromote } from '../promote-between-registries/operation';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runPromote(inputs, report) });
