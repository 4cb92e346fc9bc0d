import { createLocalTransport } from '../../../src/fleet/transport/local.js';
import { describeTransport } from './describe-transport.js';

describeTransport('local', async () => ({ transport: createLocalTransport() }));
