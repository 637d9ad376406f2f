import { runBaseCheck } from '../base-image-check/operation';
import { runAction } from './runtime';

void runAction({ main: ({ inputs, report }) => runBaseCheck(inputs, report) });
