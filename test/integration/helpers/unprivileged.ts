/**
 * @file Permission tests need a user that cannot read everything: root reads any file, so when the
 * tests run as root the code under test is started as `nobody` (runuser); as another user it runs
 * directly. `canDropPrivileges` says whether either works here.
 */
import { execFileSync } from 'node:child_process';

export const isRoot = process.getuid?.() === 0;

/** True when permission tests can run: not root, or root with a working `runuser -u nobody`. */
export const canDropPrivileges: boolean = (() => {
  if (!isRoot) return true;
  try {
    execFileSync('runuser', ['-u', 'nobody', '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
