import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.required('image');
    throw new NotImplementedError('slipway (build, test and push in one step)');
  },
});
