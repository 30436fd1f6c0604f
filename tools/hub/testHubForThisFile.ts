import { afterAll, beforeAll } from 'vitest';
import { type HubServer, startHubServer } from './hubServer';
import { buildTestHub } from './testRepos';

/**
 * The stand-in Hub of tools/hub/testRepos.ts (the catalog's repos with the real file names) for the tests of one
 * file: started before them, closed after. Building it copies and generates its stand-ins: seconds, more with
 * other test files running beside it, hence the hook's minute.
 */
export function testHubForThisFile(): Pick<HubServer, 'url' | 'log'> {
  let hub: HubServer | undefined;
  beforeAll(async () => {
    hub = await startHubServer({ roots: [buildTestHub()] });
  }, 60_000);
  afterAll(() => hub?.close());
  const started = () => {
    if (!hub) throw new Error('The test Hub is started before the tests, not while the file is read.');
    return hub;
  };
  return {
    get url() {
      return started().url;
    },
    get log() {
      return started().log;
    },
  };
}
