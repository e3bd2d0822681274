import { checkContribution, type ChartSpec } from '../src';

const ok: ChartSpec = {
  id: 'loss',
  title: 'loss',
  yLabel: 'training loss',
  file: 'my-plugin/series.jsonl',
  series: [{ field: 'loss' }],
};

describe('contributeToReport specs', () => {
  it('accepts a chart over a file in the plugin’s folder', () => {
    expect(checkContribution('my-plugin', { charts: [ok] }).charts).toHaveLength(1);
  });

  it.each([
    [
      { ...ok, file: 'other/series.jsonl' },
      /charts\[0\]\.file "other\/series\.jsonl" must be a \.jsonl file in the plugin's folder/,
    ],
    [{ ...ok, file: 'my-plugin/../events.jsonl' }, /must be a \.jsonl file in the plugin's folder/],
    [{ ...ok, id: 'Loss Chart' }, /charts\[0\]\.id must be kebab-case/],
    [{ ...ok, series: undefined }, /needs exactly one of series or each/],
    [{ ...ok, each: { array: 'layers', key: 'layer', value: 'grad' } }, /needs exactly one of series or each/],
    [{ ...ok, band: [1, 0] as [number, number] }, /band must be \[low, high\]/],
    [{ ...ok, yLabel: '' }, /yLabel must be a non-empty string/],
  ])('refuses a bad spec, naming the plugin and the field (%#)', (spec, why) => {
    expect(() => checkContribution('my-plugin', { charts: [spec as ChartSpec] })).toThrow(why);
    expect(() => checkContribution('my-plugin', { charts: [spec as ChartSpec] })).toThrow(
      /^my-plugin: contributeToReport: /,
    );
  });

  it('refuses two charts with one id', () => {
    expect(() => checkContribution('my-plugin', { charts: [ok, ok] })).toThrow(/"loss" is used twice/);
  });
});
