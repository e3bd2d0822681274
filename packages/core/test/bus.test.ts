import { every, everyMs, once, TrainwatchError, type BatchBeginEvent } from '../src';
import { EventBus } from '../src/runner';

const begin = (step: number): BatchBeginEvent => ({ step, epoch: 0, batch: step, size: 1 });

describe('EventBus', () => {
  it('calls listeners in registration order with the one payload object', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const payload = begin(0);
    bus.on('batch:begin', (p) => void seen.push(`a${p.step}${p === payload}`));
    bus.on('batch:begin', () => void seen.push('b'));
    bus.emit('batch:begin', payload);
    expect(seen).toEqual(['a0true', 'b']);
  });

  it('filters by step: every(n), once(n), and their composition', () => {
    const bus = new EventBus();
    const fired: Record<string, number[]> = { every: [], once: [], either: [] };
    bus.on('batch:begin', (p) => void fired['every']!.push(p.step), every(3));
    bus.on('batch:begin', (p) => void fired['once']!.push(p.step), once(4));
    bus.on('batch:begin', (p) => void fired['either']!.push(p.step), every(5).or(once(2)));
    for (let s = 0; s < 10; s++) bus.emit('batch:begin', begin(s));
    expect(fired).toEqual({ every: [0, 3, 6, 9], once: [4], either: [0, 2, 5] });
  });

  it('everyMs(t) fires at most once per wall-clock window', () => {
    const bus = new EventBus();
    const fired: number[] = [];
    const now = jest.spyOn(performance, 'now');
    bus.on('batch:begin', (p) => void fired.push(p.step), everyMs(100));
    const times = [0, 50, 99, 100, 150, 250];
    times.forEach((t, s) => {
      now.mockReturnValue(t);
      bus.emit('batch:begin', begin(s));
    });
    now.mockRestore();
    expect(fired).toEqual([0, 3, 5]);
  });

  it('and() needs both filters', () => {
    const bus = new EventBus();
    const fired: number[] = [];
    bus.on('batch:begin', (p) => void fired.push(p.step), every(2).and(every(3)));
    for (let s = 0; s < 13; s++) bus.emit('batch:begin', begin(s));
    expect(fired).toEqual([0, 6, 12]);
  });

  it('wants() tells ahead whether a listener would run on a step, without consuming it', () => {
    const bus = new EventBus();
    expect(bus.wants('forward:end', 0)).toBe(false);
    bus.on('forward:end', () => {}, every(10));
    expect(bus.wants('forward:end', 5)).toBe(false);
    expect(bus.wants('forward:end', 10)).toBe(true);
    expect(bus.wants('forward:end', 10)).toBe(true);
  });

  it('rejects bad filter arguments and unknown events when registered', () => {
    const bus = new EventBus();
    expect(() => every(0)).toThrow(/every\(n\): n must be a positive integer, got 0/);
    expect(() => every(1.5)).toThrow(TrainwatchError);
    expect(() => once(-1)).toThrow(/once\(n\)/);
    expect(() => everyMs(0)).toThrow(/everyMs\(ms\)/);
    expect(() => everyMs(Number.NaN)).toThrow(/everyMs/);
    expect(() => bus.on('batch:ending' as 'batch:end', () => {})).toThrow(/unknown event "batch:ending"/);
    expect(() => bus.on('batch:end', () => {}, { test: 1 } as never)).toThrow(/filter/);
    // A negative period is refused when the filter is made (not silently never firing).
    expect(() => every(-2)).toThrow(TrainwatchError);
    expect(() => every(-2)).toThrow(expect.objectContaining({ code: 'invalid-filter' }));
    expect(() => every(0)).toThrow(expect.objectContaining({ code: 'invalid-filter' }));
  });

  it('awaits async listeners in order on events that allow them', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('epoch:end', async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push('slow');
    });
    bus.on('epoch:end', () => void seen.push('next'));
    await bus.emit('epoch:end', { epoch: 0, step: 0, train: {}, val: {}, epochMs: 0 });
    expect(seen).toEqual(['slow', 'next']);
  });

  it('returns no Promise when every listener was synchronous', () => {
    const bus = new EventBus();
    bus.on('epoch:end', () => {});
    expect(bus.emit('epoch:end', { epoch: 0, step: 0, train: {}, val: {}, epochMs: 0 })).toBeUndefined();
  });

  it('isolates a throwing listener and reports who threw where', () => {
    const bus = new EventBus();
    const errors: string[] = [];
    bus.setErrorHandler((owner, event, e) => void errors.push(`${owner}/${event}/${(e as Error).message}`));
    const seen: number[] = [];
    bus.on(
      'batch:begin',
      () => {
        throw new Error('boom');
      },
      undefined,
      'bad-plugin',
    );
    bus.on('batch:begin', (p) => void seen.push(p.step));
    bus.emit('batch:begin', begin(7));
    expect(errors).toEqual(['bad-plugin/batch:begin/boom']);
    expect(seen).toEqual([7]);
  });

  it('refuses async listeners on synchronous (tensor-lending) events', () => {
    const bus = new EventBus();
    const errors: string[] = [];
    bus.setErrorHandler((owner, event, e) => void errors.push(`${owner}/${event}/${(e as TrainwatchError).code}`));
    bus.on('batch:begin', async () => {}, undefined, 'p');
    expect(bus.emit('batch:begin', begin(0))).toBeUndefined();
    expect(errors).toEqual(['p/batch:begin/sync-listener']);
  });

  it('unsubscribes', () => {
    const bus = new EventBus();
    let n = 0;
    const off = bus.on('batch:begin', () => void n++);
    bus.emit('batch:begin', begin(0));
    off();
    bus.emit('batch:begin', begin(1));
    expect(n).toBe(1);
    expect(bus.listenerCount('batch:begin')).toBe(0);
  });

  it('a listener added after an emission runs on the next; one removed mid-dispatch leaves that dispatch whole', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('batch:begin', (e) => void seen.push(`a${e.step}`));
    bus.emit('batch:begin', begin(0));
    let offC = () => {};
    bus.on('batch:begin', (e) => {
      seen.push(`b${e.step}`);
      offC(); // removes the next listener while this dispatch is under way
    });
    offC = bus.on('batch:begin', (e) => void seen.push(`c${e.step}`));
    bus.emit('batch:begin', begin(1));
    bus.emit('batch:begin', begin(2));
    expect(seen).toEqual(['a0', 'a1', 'b1', 'c1', 'a2', 'b2']);
  });
});
