import { parseReference } from '../reference';
import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.parsedList('tags', (v) => parseReference(v), { required: true });
    throw new NotImplementedError('push-registry');
  },
  async post() {},
});
