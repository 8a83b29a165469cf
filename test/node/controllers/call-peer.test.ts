/**
 * Who is speaking is read from the audio statistics between two samples: the level over the
 * interval (root mean square of the energy), so a short sound between two samples still counts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AudioMeter } from '../../../src/controllers/call-peer.js';

const report = (audioLevel: number, totalAudioEnergy?: number, totalSamplesDuration?: number) => ({
  type: 'inbound-rtp',
  kind: 'audio',
  audioLevel,
  totalAudioEnergy,
  totalSamplesDuration,
});

describe('AudioMeter', () => {
  test('a short sound between two samples counts, though the reading at the sample is silence', () => {
    const before = new AudioMeter();
    before.add(report(0, 0, 10));
    // 20 ms at level 0.5 within the next 250 ms; the point reading at the sample is 0.
    const after = new AudioMeter();
    after.add(report(0, 0.5 * 0.5 * 0.02, 10.25));
    const level = after.level(before.totals());
    assert.ok(Math.abs(level - Math.sqrt(0.005 / 0.25)) < 1e-9, String(level));
    assert.ok(level > 0.02);
  });

  test('silence over the interval is silence, whatever came before', () => {
    const before = new AudioMeter();
    before.add(report(0.9, 40, 100));
    const after = new AudioMeter();
    after.add(report(0, 40, 100.25));
    assert.equal(after.level(before.totals()), 0);
  });

  test('several streams of one direction add up; without totals the point reading is used', () => {
    const before = new AudioMeter();
    before.add(report(0, 0, 1));
    before.add(report(0, 0, 1));
    const after = new AudioMeter();
    after.add(report(0, 0.01, 1.5));
    after.add(report(0, 0.01, 1.5));
    assert.ok(Math.abs(after.level(before.totals()) - Math.sqrt(0.02 / 1)) < 1e-9);

    const partial = new AudioMeter();
    partial.add({ type: 'inbound-rtp', kind: 'audio', audioLevel: 0.3 });
    assert.equal(partial.totals(), undefined);
    assert.equal(partial.level(before.totals()), 0.3);
    assert.equal(after.level(undefined), 0, 'first sample: the point reading');
  });
});
