/** Timer triggers as the host runs them: on their NCRONTAB schedules (six fields, UTC), one run at a time. */
import { CronExpressionParser } from "cron-parser";
import { type Registration } from "./functionsCore";
import { type HostLog } from "./hostLog";

/** The timer object a timer-triggered function receives. */
export function timerInput(isPastDue: boolean): unknown {
  const now = new Date().toISOString();
  return {
    isPastDue,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: now, next: now, lastUpdated: now },
  };
}

export class TimerTriggers {
  private running = false;
  private readonly timerHandles = new Set<NodeJS.Timeout>();

  constructor(private readonly log: HostLog) {}

  start(): void {
    this.running = true;
  }

  /** Fires the function at each next occurrence of the schedule until stop(). */
  schedule(registration: Registration, schedule: string, fire: () => Promise<unknown>): void {
    const cron = CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date() });
    const arm = (): void => {
      if (!this.running) return;
      const next = cron.next().getTime();
      const handle = setTimeout(
        () => {
          this.timerHandles.delete(handle);
          void Promise.resolve()
            .then(fire)
            .catch((error) =>
              this.log.write(
                registration.name,
                "error",
                `Timer invocation failed: ${(error as Error)?.message ?? error}`,
              ),
            )
            .finally(arm);
        },
        Math.max(0, next - Date.now()),
      );
      this.timerHandles.add(handle);
    };
    arm();
  }

  stop(): void {
    this.running = false;
    for (const handle of this.timerHandles) clearTimeout(handle);
    this.timerHandles.clear();
  }
}
