// Entry point: load the configuration, restore or start a session.
import './styles.css';

import { AuthClient } from '@dfinity/auth-client';

import { DemoPage } from './demo_page';
import { loadConfig } from './load_config';
import { View } from './view';

async function start(view: View): Promise<void> {
  const loaded = await loadConfig();
  if (!loaded.ok) {
    view.showSessionMessage(`This page is not configured: ${loaded.problems.join('; ')}.`, true);
    return;
  }
  view.showConfig(loaded.config);
  // The delegation's own lifetime ends the session; no idle logout with a page reload.
  const auth = await AuthClient.create({ idleOptions: { disableIdle: true } });
  await new DemoPage(view, loaded.config, auth).restore();
}

const view = new View();
start(view).catch((error: unknown) => view.showSessionMessage(`The page failed to start: ${(error as Error).message}`, true));
