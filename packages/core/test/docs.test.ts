import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, EVENT_NAMES, tf, type GradientInterceptor, type PluginContext } from '../src';
import { runWith } from '../src/testing';
import { blobs } from './helpers';

// docs/writing-plugins.md is the plugin author's reference: these tests keep it in step with the code.
const DOC = fs.readFileSync(path.join(__dirname, '../../../docs/writing-plugins.md'), 'utf8');
const EVENTS_TS = fs.readFileSync(path.join(__dirname, '../src/loop/events.ts'), 'utf8');

/** The `readonly field` names of an exported interface in events.ts. */
function fieldsOf(iface: string): string[] {
  const m = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(EVENTS_TS);
  if (!m) throw new Error(`no interface ${iface} in events.ts`);
  return [...m[1]!.matchAll(/^\s+readonly (\w+)\??:/gm)].map((x) => x[1]!);
}

/** The doc's section for one event: from its `### \`name\`` heading to the next heading. */
function section(event: string): string {
  const start = DOC.indexOf(`### \`${event}\``);
  if (start < 0) throw new Error(`writing-plugins.md has no section for ${event}`);
  const end = DOC.indexOf('\n#', start + 4);
  return DOC.slice(start, end < 0 ? undefined : end);
}

describe('docs/writing-plugins.md', () => {
  it('documents every event, and every field of its payload in its table', () => {
    const payloads = [...EVENTS_TS.matchAll(/^\s+'?([a-z:]+)'?: (\w+);$/gm)].map((m) => [m[1]!, m[2]!] as const);
    const map = new Map(payloads.filter(([e]) => (EVENT_NAMES as readonly string[]).includes(e)));
    expect([...map.keys()].sort()).toEqual([...EVENT_NAMES].sort());
    for (const [event, iface] of map) {
      if (event === 'finding') continue; // the Finding type lives in api/findings.ts; its fields are listed in prose
      const doc = section(event);
      const missing = fieldsOf(iface).filter((f) => !doc.includes(`\`${f}\``));
      expect({ event, missing }).toEqual({ event, missing: [] });
    }
  });

  it('its interception example runs: it clips the global gradient norm to 1', async () => {
    const code = /## Interception\s+```js\n([\s\S]*?)```/.exec(DOC)![1]!;
    let intercepted = 0;
    const plugin = definePlugin({
      name: 'doc-example',
      setup(ctx: PluginContext<unknown>) {
        // The snippet registers through ctx.interceptGradients; wrap it to see what it returns.
        const spy = {
          interceptGradients: (fn: GradientInterceptor) =>
            ctx.interceptGradients((step) => {
              const out = fn(step);
              if (out && out.action === 'replace') {
                intercepted++;
                const norm = tf.tidy(
                  () => tf.sqrt(tf.addN(Object.values(out.grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!,
                );
                expect(norm).toBeCloseTo(1, 4);
              }
              return out;
            }),
        };
        new Function('ctx', 'tf', code)(spy, tf);
      },
    });
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 64 },
      training: { epochs: 1, learningRate: 0.05 },
      plugins: [{ plugin }],
    });
    expect(r.status).toBe('completed');
    expect(r.findings.filter((f) => f.code === 'plugin-error')).toEqual([]);
    expect(intercepted).toBeGreaterThan(0);
  });
});
