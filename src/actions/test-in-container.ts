import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.required('image');
    throw new NotImplementedError('test-in-container');
  },
  async post() {},
});
