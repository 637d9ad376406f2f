import { runBuild } from '../build-and-tag/operation';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runBuild(inputs, report) });
