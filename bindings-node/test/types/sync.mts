// Types of sync(): checked by tsc --strict (npm test); never run.
import { sync, SyncError, Client, type SyncReport, type SyncTable } from 'plumlogs'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function check<T extends true>(): void {}

export async function usage(): Promise<void> {
  const client = new Client({ username: 'u', password: 'p' })
  const report = await sync('/tmp/plum', { client, tables: ['sessions', 'call_log_entries'], since: new Date(), concurrency: 4, sealLagSeconds: 0 })
  check<Equal<typeof report, SyncReport>>()
  const days: number = report.daysWritten + report.daysSealed + report.daysAlreadySealed
  const gap: SyncTable | undefined = report.gaps[0]?.table
  void days, gap
  try {
    await sync('/tmp/plum')
  } catch (e) {
    if (e instanceof SyncError && e.kind === 'days' && e.report !== null) {
      const failed: string | undefined = e.report.failures[0]?.error
      void failed
    }
  }
  // @ts-expect-error: not a table
  await sync('/tmp/plum', { tables: ['calls_logs'] })
  // @ts-expect-error: not an option
  await sync('/tmp/plum', { lagSeconds: 1 })
  // @ts-expect-error: the directory is a string
  await sync(42)
}
