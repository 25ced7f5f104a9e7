// Opens a URL in the user's default browser with the operating system's opener.
import { spawn } from 'node:child_process';

function opener(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  // Not `cmd /c start`: cmd would split the URL at its '&'.
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/** Resolves true once the opener started, false if there is none (the caller then relies on the printed URL). */
export function openInSystemBrowser(url: URL): Promise<boolean> {
  const [command, args] = opener(url.toString());
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
