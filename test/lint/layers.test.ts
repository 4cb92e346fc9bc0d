import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the layers eslint.config.js enforces', () => {
  it('refuses an import of a higher layer from a lower one, naming what the layer may import', async () => {
    expect(await layerErrors('src/fleet/transport/new.ts', "import { escapeMrkdwn } from '../../chat/mrkdwn.js';\nexport const a = escapeMrkdwn;\n")).toEqual([
      expect.stringContaining('src/fleet may import only src/shared, src/config'),
    ]);
    expect(await layerErrors('src/config/new.ts', "import type { Deployment } from '../pipeline/types.js';\nexport type A = Deployment;\n")).toHaveLength(1);
    expect(await layerErrors('src/store/new.ts', "import type { Alarm } from '../alarms/model.js';\nexport type A = Alarm;\n")).toHaveLength(1);
    expect(await layerErrors('src/shared/new.ts', "import type { Config } from '../config/schema.js';\nexport type A = Config;\n")).toHaveLength(1);
    expect(await layerErrors('src/chat/new.ts', "import { start } from '../app.js';\nexport const a = start;\n")).toEqual([expect.stringContaining('only the composition root')]);
  });

  it('lets a layer import the layers below it and the shared vocabulary', async () => {
    expect(await layerErrors('src/pipeline/new.ts', "import { phrase } from '../shared/phrase.js';\nimport type { Server } from '../fleet/types.js';\nexport const a = phrase;\nexport type B = Server;\n")).toEqual([]);
    expect(await layerErrors('src/chat/new.ts', "import type { Deployment } from '../pipeline/types.js';\nexport type A = Deployment;\n")).toEqual([]);
    expect(await layerErrors('src/app.ts', "import { escapeMrkdwn } from './chat/mrkdwn.js';\nexport const a = escapeMrkdwn;\n")).toEqual([]);
  });
});
