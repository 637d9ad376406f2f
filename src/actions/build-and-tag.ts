import { parseReference } from '../reference';
import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.parsedList('image', (v) => parseReference(v, { lowercase: true, repositoryOnly: true }), {
      required: true,
    });
    throw new NotImplementedError('build-and-tag');
  },
});
