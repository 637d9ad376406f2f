import { runBuild } from '../operations/build';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runBuild(inputs, report) });
