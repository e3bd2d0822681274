// A complete local plugin in one file: loaded by path from a config ("use": "./custom-plugin/loss-spike.js").
// It watches the loss after every step and reports steps where it jumps far above its recent average,
// and adds a chart to the report (the loss and its running mean, with a marker at each spike it reports).
const { definePlugin, toJson, Type } = require('@trainwatch/core');

module.exports = definePlugin({
  name: 'loss-spike',
  description: 'Reports steps whose loss jumps above factor x its running mean, and a summary at the end.',
  schema: Type.Object({
    factor: Type.Number({
      exclusiveMinimum: 1,
      default: 3,
      description: 'A spike is a loss above factor x the running mean.',
    }),
    window: Type.Integer({ minimum: 2, default: 20, description: 'Steps in the running mean.' }),
    warmup: Type.Integer({
      minimum: 0,
      default: 20,
      description: 'Steps to watch before judging (the first losses fall fast).',
    }),
  }),
  setup(ctx) {
    const { factor, window, warmup } = ctx.options;
    const recent = [];
    let spikes = 0;
    let worst = { ratio: 0, step: -1 };

    // The report draws this chart from loss-spike/series.jsonl; markers for 'loss-spike' findings go on it.
    ctx.contributeToReport({
      charts: [
        {
          id: 'loss',
          title: 'loss and its running mean (loss-spike)',
          yLabel: 'training loss',
          file: 'loss-spike/series.jsonl',
          series: [{ field: 'loss' }, { field: 'mean', label: 'running mean' }],
          log: true,
          findings: ['loss-spike'],
        },
      ],
    });

    ctx.bus.on('batch:end', (e) => {
      if (!Number.isFinite(e.loss)) return; // non-finite losses are another plugin's business
      const mean = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : e.loss;
      const ratio = e.loss / mean;
      ctx.artifacts.appendLine('loss-spike/series.jsonl', toJson({ step: e.step, loss: e.loss, mean }));
      if (e.step >= warmup && ratio > factor) {
        spikes++;
        if (ratio > worst.ratio) worst = { ratio, step: e.step };
        // One finding for the first spike (reportOnce: once per code and layer); later ones are
        // counted in the summary.
        ctx.reportOnce({
          code: 'loss-spike',
          severity: 'warn',
          message: `loss jumped to ${e.loss.toFixed(4)}, ${ratio.toFixed(1)}x its mean over the last ${recent.length} steps`,
          evidence: { loss: e.loss, runningMean: mean, ratio, window: recent.length },
          suggestion:
            'Look at this batch (bad examples or labels?) and at the learning rate; gradient clipping may help.',
        });
      }
      recent.push(e.loss);
      if (recent.length > window) recent.shift();
    });

    ctx.bus.on('run:end', (e) => {
      ctx.report({
        code: 'loss-spike-summary',
        severity: 'info',
        message:
          spikes === 0
            ? `no loss spikes in ${e.step} steps`
            : `${spikes} loss spike(s) in ${e.step} steps; worst ${worst.ratio.toFixed(1)}x at step ${worst.step}`,
        evidence: { spikes, steps: e.step, worstRatio: worst.ratio, worstStep: worst.step, factor },
      });
    });
  },
});
