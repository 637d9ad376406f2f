import { NotImplementedError, runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    inputs.required('hosts');
    inputs.required('username');
    inputs.required('private-key');
    throw new NotImplementedError('remote-deploy-ssh');
  },
  async post() {},
});
