/**
 * What the browser tests on a cluster share: a Redis, instances on it in
 * `direct` mode behind the test nginx (round robin, no affinity), and
 * headless Chromium, started before a suite's tests and stopped after them.
 * Pages opened through it are fresh browser contexts that have shown the
 * lobby, and their uncaught errors are collected for the suite's last check.
 */
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openGamePage } from '../../harness/browser.ts';
import {
  startInstances,
  startNginx,
  startRedis,
  stopAll,
  type Instance,
  type Nginx,
  type RedisServer,
} from '../../harness/cluster.ts';

export interface BrowserCluster {
  readonly redis: RedisServer;
  readonly instances: Instance[];
  /** The load balancer: the address players open. */
  readonly nginx: Nginx;
  readonly browser: Browser;
  /** Uncaught errors of the pages opened through {@link open}, each prefixed by its page's label. */
  readonly pageErrors: string[];
  /** Open `url` (the load balancer when absent) as `label` and wait for the lobby. */
  open(label: string, url?: string): Promise<Page>;
}

/**
 * Call in a `describe`: starts instances `names` with `env` before its tests
 * and stops everything after them. The fields are set once the before hook
 * has run, so read them in tests, not while the suite is being defined.
 */
export function useBrowserCluster(names: string[], env: Record<string, string> = {}): BrowserCluster {
  const pageErrors: string[] = [];
  const started: { -readonly [K in 'redis' | 'instances' | 'nginx' | 'browser']?: BrowserCluster[K] } = {};
  const need = <K extends keyof typeof started>(key: K): NonNullable<(typeof started)[K]> => {
    const value = started[key];
    if (value === undefined) throw new Error(`the browser cluster has no ${key}: its before hook has not run`);
    return value;
  };
  before(async () => {
    started.redis = await startRedis();
    started.instances = await startInstances(started.redis, 'direct', names, env);
    started.nginx = await startNginx(started.instances.map((i) => i.port));
    started.browser = await launchChromium();
  });
  after(async () => {
    await started.browser?.close();
    await started.nginx?.stop();
    await stopAll();
  });
  return {
    get redis() {
      return need('redis');
    },
    get instances() {
      return need('instances');
    },
    get nginx() {
      return need('nginx');
    },
    get browser() {
      return need('browser');
    },
    pageErrors,
    open: (label, url) => openGamePage(need('browser'), label, url ?? need('nginx').url, { errors: pageErrors }),
  };
}
