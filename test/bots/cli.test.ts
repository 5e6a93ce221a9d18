/**
 * The bot load tester end to end: the real CLI in a child process against the
 * real app booted in this process. A short run must exit 0 with a complete
 * report whose figures agree with what the server counted; a missed objective
 * must exit 1; bad usage exits 2.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { matchMaker } from '@colyseus/core';
import { parsePrometheusText, sumOf, type Scrape } from '../../common/prometheus.ts';
import type { BotReport } from '../../bots/report.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';
import { runScript, type ScriptRun } from '../helpers/runScript.ts';
import { waitFor } from '../../harness/net.ts';

/** Run `bots/cli.ts` with `args`; resolves with its exit code and output. */
const runCli = (args: string[]): Promise<ScriptRun> => runScript('bots/cli.ts', args);

async function scrape(t: TestApp): Promise<Scrape> {
  return parsePrometheusText(await (await fetch(`${t.url}/metrics`)).text());
}

describe('bots CLI', () => {
  let t: TestApp;
  let dir: string;

  before(async () => {
    t = await bootTestApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-bots-'));
  });

  after(async () => {
    await t.colyseus.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs 10 bots, exits 0 and writes a complete report that matches the server counters', async () => {
    const before = await scrape(t);
    const reportDir = path.join(dir, 'ok');
    const run = await runCli([
      '--url',
      t.url,
      '--bots',
      '10',
      '--duration',
      '5',
      '--ramp',
      '1',
      '--report-dir',
      reportDir,
      '--quiet',
      '--chat-interval',
      '2',
      '--slo',
      'errors=0,state_violations=0',
    ]);
    assert.equal(run.code, 0, `exit 0 expected\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Result: PASS/u);
    assert.match(run.stdout, /RTT \(ms\)/u, 'the summary table is printed');

    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8')) as BotReport;
    const s = report.summary;
    assert.equal(report.tool, 'arena-bots');
    assert.equal(report.passed, true);
    assert.equal(report.options.bots, 10);
    assert.equal(s.bots.connectedMax, 10);
    assert.equal(s.bots.connectedAtEnd, 10);
    assert.equal(s.bots.joinErrors, 0);
    assert.equal(s.bots.errors, 0);
    assert.equal(s.bots.rooms, 1, '10 bots fit one 16-player room');
    assert.ok(s.bots.decoders >= 2, 'the two checkers decode');
    assert.ok(s.window.seconds > 0 && s.window.fromS >= 1);
    for (const h of [s.rttMs, s.updateIntervalMs, s.inputToUpdateMs]) {
      assert.ok(h.count > 0, 'samples were taken');
      assert.ok(h.p50! > 0 && h.p50! <= h.p99! && h.p99! <= h.max!, 'percentiles are ordered');
    }
    assert.ok(
      s.perClient.updatesPerS! > 5 && s.perClient.updatesPerS! < 35,
      `about 30 updates a second, got ${s.perClient.updatesPerS}`,
    );
    assert.ok(
      s.perClient.inputsPerS! > 5 && s.perClient.inputsPerS! <= 31,
      `one input per tick, got ${s.perClient.inputsPerS}`,
    );
    assert.ok(s.perClient.bytesInPerS! > s.perClient.bytesOutPerS!, 'more comes down than goes up');
    assert.ok(s.perClient.wireBytesInPerS! > s.perClient.bytesInPerS!);
    assert.ok(s.totals.chatsSent > 0, 'bots chatted');
    assert.equal(s.totals.chatsRefused, 0, 'within the chat rate');
    assert.ok(s.stateChecks.checks > 0);
    assert.equal(s.stateChecks.violations, 0, s.stateChecks.samples.join('\n'));
    assert.ok(s.server, 'the server was scraped');
    assert.ok(s.server.tickMs.count > 0 && s.server.tickMs.p99! >= s.server.tickMs.p50!);
    assert.ok(s.server.patchFrameBytes! >= 9);
    assert.equal(s.server.scrapeErrors, 0);
    assert.ok(report.series.length >= 3, 'one point a second');
    assert.ok(report.series.some((p) => p.connected === 10));
    assert.deepEqual(
      report.slo.map((o) => [o.key, o.pass]),
      [
        ['errors', true],
        ['state_violations', true],
      ],
    );

    const html = await readFile(path.join(reportDir, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/u);
    assert.ok((html.match(/<svg /gu) ?? []).length >= 5, 'charts are inline SVG');
    assert.doesNotMatch(html, /<script|src="http/u, 'self-contained');

    // What the bots counted is what the server counted.
    await waitFor(
      async () => (await matchMaker.query({ name: 'arena' })).length === 0,
      'the room to close after the bots left',
    );
    const afterRun = await scrape(t);
    const delta = (name: string, labels: Record<string, string>) =>
      sumOf(afterRun, name, labels) - sumOf(before, name, labels);
    assert.equal(
      delta('arena_ws_frames_received_total', { kind: 'input' }),
      s.totals.inputsSent,
      'every input a bot sent reached the server',
    );
    assert.ok(
      delta('arena_ws_frames_sent_total', { kind: 'patch' }) >= s.totals.patches,
      'every patch a bot got was sent',
    );
    assert.equal(delta('arena_ws_frames_received_total', { kind: 'message' }), s.totals.chatsSent);
    assert.equal(delta('arena_ws_connections_opened_total', {}), 10);
    assert.equal(sumOf(afterRun, 'arena_ccu'), 0);
  });

  it('exits 1 when an objective is missed, and says which', async () => {
    const reportDir = path.join(dir, 'slo');
    const run = await runCli([
      '--url',
      t.url,
      '--bots',
      '3',
      '--duration',
      '3',
      '--ramp',
      '0',
      '--report-dir',
      reportDir,
      '--quiet',
      '--slo',
      'updates.rate=1000',
      '--slo',
      'rtt.p99=10000',
    ]);
    assert.equal(run.code, 1, `exit 1 expected\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /updates\.rate >= 1000 \/s\s+MISS/u);
    assert.match(run.stdout, /Result: FAIL/u);
    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8')) as BotReport;
    assert.equal(report.passed, false);
    assert.equal(report.summary.bots.connectedMax, 3, 'the bots did connect: the objective alone failed the run');
    const [rate, rtt] = report.slo;
    assert.deepEqual([rate!.key, rate!.op, rate!.threshold, rate!.pass], ['updates.rate', '>=', 1000, false]);
    assert.ok(rate!.actual! > 0);
    assert.deepEqual([rtt!.key, rtt!.op, rtt!.pass], ['rtt.p99', '<=', true]);
  });

  it('exits 1 when no bot can connect', async () => {
    const run = await runCli([
      '--url',
      'http://127.0.0.1:9',
      '--bots',
      '2',
      '--duration',
      '1',
      '--ramp',
      '0',
      '--no-report',
      '--no-metrics',
      '--quiet',
    ]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Result: FAIL \(no bot connected\)/u);
  });

  it('exits 2 with the usage on a bad flag', async () => {
    for (const args of [
      ['--bots', '5'],
      ['--url', t.url, '--bots', 'many'],
      ['--url', t.url, '--slo', 'rtt.p99=fast'],
      ['--url', t.url, '--slo', 'nope=1'],
      ['--url', 'ftp://x'],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /Usage: npm run bots/u);
    }
  });
});
