import { parseReference } from '../reference';
import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.parsedList('source', (v) => parseReference(v), { required: true });
    inputs.parsedList('destination', (v) => parseReference(v, { repositoryOnly: true }), { required: true });
    throw new NotImplementedError('promote-between-registries');
  },
});
