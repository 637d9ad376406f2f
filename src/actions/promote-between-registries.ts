import { runPromote } from '../promote-between-registries/operation';
import { runAction } from './runtime';

void runAction({
  cancellable: true,
  main: ({ inputs, report, signal }) => runPromote(inputs, report, signal),
});
