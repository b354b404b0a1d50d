/**
 * @file The progress bar of an install in flight (install-status.ts says what it shows), used by the
 * model cards of the Models page and by the first-run offer. Runs in the renderer.
 */
import type { InstallStatus } from './install-status';

export function InstallBar({
  name,
  status,
  small = false,
  testId,
}: {
  name: string;
  status: InstallStatus;
  small?: boolean;
  testId?: string;
}) {
  return (
    <div
      className={small ? 'bar small' : 'bar'}
      role="progressbar"
      aria-label={`Installing ${name}`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={status.pct}
      data-testid={testId}
    >
      <div style={{ width: `${status.pct}%` }} />
    </div>
  );
}
