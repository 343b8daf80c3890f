/**
 * A world for erasure properties: one printer in the simulator, three people whose jobs arrive under their
 * UPN in any letter case, under a renamed UPN, with the id only or the UPN only; the audit, erasures, key
 * removal and redaction switches run against Azurite, and an operation can land at any table write of an
 * audit run in flight (the run's store goes through a counting proxy that holds the Nth write until it is done).
 * Afterwards `violations` lists every erased person's identifier or findable pseudonym left in any table.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { TableServiceClient } from "@azure/data-tables";
import { eraseUser, runRedaction } from "../../src/audit/redaction";
import { pseudonym, pseudonymKey, type PrivacyPolicy } from "../../src/audit/privacy";
import { auditPrinterJobs } from "../../src/audit/recorder";
import { AuditStore, tableClientFactory } from "../../src/audit/store";
import { appClients } from "../../src/composition/rooms";
import { type RedactUsers } from "../../src/settings/privacy";
import { makeJob } from "../../sandbox/tenant";
import { CountingProxy, RequestCounter, type ProxyAction } from "./countingProxy";
import { type Rig } from "./rig";

export interface Person {
  id: string;
  upn: string;
  renamedUpn: string;
  name: string;
}

export const people: Person[] = [
  {
    id: "6f1c2b3a-1111-4a5b-8c9d-0e1f2a3b4c5d",
    upn: "pat.kim@contoso.com",
    renamedUpn: "pat.lee@contoso.com",
    name: "Pat Kim",
  },
  {
    id: "7a2d3c4b-2222-4b6c-9d0e-1f2a3b4c5d6e",
    upn: "ana.souza@contoso.com",
    renamedUpn: "ana.moreau@contoso.com",
    name: "Ana Souza",
  },
  {
    id: "8b3e4d5c-3333-4c7d-8e1f-2a3b4c5d6e7f",
    upn: "li.wei@contoso.com",
    renamedUpn: "li.chen@contoso.com",
    name: "Li Wei",
  },
];

export type JobVariant = "upn" | "upperUpn" | "renamed" | "idOnly" | "upnOnly";
export type EraseBy = "upn" | "mixedCaseUpn" | "id" | "pseudonym";

export type Op =
  | { kind: "job"; person: number; variant: JobVariant }
  | { kind: "audit" }
  | { kind: "erase"; person: number; by: EraseBy }
  | { kind: "eraseTwice"; person: number; by: EraseBy }
  | { kind: "eraseDuringAudit"; person: number; by: EraseBy; atWrite: number }
  | { kind: "redactDuringAudit"; mode: RedactUsers; atWrite: number }
  | { kind: "removeKey" }
  | { kind: "restoreKey" }
  | { kind: "redact"; mode: RedactUsers; omitDocumentNames: boolean };

interface WorldJob {
  n: number;
  person: number;
  variant: JobVariant;
  audited: boolean;
  /**
   * Its user columns were left out before its person was erased (omit), or it was recorded with nothing personal
   * (no key while someone is erased): nothing links it to them any more.
   */
  unlinkable?: boolean;
}

const quiet = { log: (): void => undefined, warn: (): void => undefined };

/** The identifiers one job carries (lower case), as Graph sends them. */
function createdByOf(
  person: Person,
  variant: JobVariant,
): { id?: string; userPrincipalName?: string; displayName?: string } {
  switch (variant) {
    case "upn":
      return { id: person.id, userPrincipalName: person.upn, displayName: person.name };
    case "upperUpn":
      return { id: person.id.toUpperCase(), userPrincipalName: person.upn.toUpperCase(), displayName: person.name };
    case "renamed":
      return { id: person.id, userPrincipalName: person.renamedUpn, displayName: person.name };
    case "idOnly":
      return { id: person.id };
    case "upnOnly":
      return { userPrincipalName: person.upn.replace(/^./, (c) => c.toUpperCase()), displayName: person.name };
  }
}

export class ErasureWorld {
  readonly key = randomBytes(32);
  readonly store: AuditStore;
  private proxiedStore: AuditStore;
  readonly counter = new RequestCounter();
  private proxy!: CountingProxy;
  private keyPresent = true;
  private mode: RedactUsers = "none";
  private omitDocumentNames = false;
  private readonly jobs: WorldJob[] = [];
  /** Identifiers (lower case) an erasure was asked for, by a person. */
  private readonly erasedSeeds = new Set<string>();
  private runs = 0;
  /** What went wrong during the operations themselves (an erasure that threw, two answers for one person). */
  readonly failures: string[] = [];
  writesPerAudit: number[] = [];
  /** Per audit run: whether its operation landed before the run read the erasure list again (it judged its jobs by it). */
  landedInRun: boolean[] = [];

  constructor(
    private readonly rig: Rig,
    readonly printerId: string,
    readonly prefix: string,
  ) {
    const connectionString = rig.azurite!.connectionString;
    this.store = new AuditStore(
      prefix,
      tableClientFactory({ kind: "connectionString", connectionString }, noCredential),
    );
    this.proxiedStore = this.store;
  }

  async start(): Promise<this> {
    const azurite = this.rig.azurite!;
    // In front of the Table endpoint the app uses (the strict layer's): the run's writes are counted, and still refused as the service would.
    this.proxy = await new CountingProxy(azurite.tableOrigin, this.counter).start();
    const connectionString = azurite.connectionStringVia({ table: this.proxy.origin });
    assert.notEqual(
      connectionString,
      azurite.connectionString,
      "the audit run's Table writes go through the counting proxy",
    );
    this.proxiedStore = new AuditStore(
      this.prefix,
      tableClientFactory({ kind: "connectionString", connectionString }, noCredential),
    );
    this.rig.sim.addPrinter({ id: this.printerId, displayName: "Erasure property printer" });
    return this;
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
  }

  policy(): PrivacyPolicy {
    return {
      redactUsers: this.mode,
      omitDocumentNames: this.omitDocumentNames,
      ...(this.keyPresent ? { key: pseudonymKey(this.key) } : {}),
    };
  }

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case "job":
        return this.addJob(op.person, op.variant);
      case "audit":
        return this.audit();
      case "erase":
        return this.erase(op.person, op.by);
      case "eraseTwice":
        return this.eraseTwice(op.person, op.by);
      case "eraseDuringAudit":
        return this.audit(op.atWrite, () => this.erase(op.person, op.by));
      case "redactDuringAudit":
        return this.audit(op.atWrite, () => this.redact(op.mode, this.omitDocumentNames));
      case "removeKey":
        this.keyPresent = false;
        // Hash mode needs the key: the operator turns it off too (the app refuses to start otherwise).
        if (this.mode === "hash") this.mode = "none";
        return;
      case "restoreKey":
        this.keyPresent = true;
        return;
      case "redact":
        return this.redact(op.mode, op.omitDocumentNames);
    }
  }

  private addJob(person: number, variant: JobVariant): void {
    const n = this.jobs.length + 1;
    const p = people[person]!;
    const job = makeJob(this.printerId, n, { state: "completed", tasks: 1 });
    job.createdBy = createdByOf(p, variant);
    const shown = [job.createdBy.displayName, job.createdBy.userPrincipalName].filter(Boolean).join(" ");
    job.status!.description = shown ? `Held for ${shown}` : "Held";
    job.documents![0]!.displayName = `Payslip ${n} ${job.createdBy.displayName ?? "id only"}.pdf`;
    this.rig.sim.addJob(this.printerId, job);
    this.jobs.push({ n, person, variant, audited: false });
  }

  /**
   * One audit run of the printer; `during` runs when the run is about to make its `atWrite`th table write. The
   * run judges the jobs it writes under the erasure list it reads after committing them: an erasure that lands
   * after that read (or after the run) finds the jobs recorded under omit with nothing linking them to anyone.
   */
  private async audit(atWrite?: number, during?: () => Promise<void>): Promise<void> {
    const runId = `20261206T101500000Z-${(++this.runs).toString(16).padStart(6, "0")}`;
    const seedsBefore = new Set(this.erasedSeeds);
    const recordedUnder = this.mode;
    let writes = 0;
    let done: Promise<void> | undefined;
    let landed = false;
    let listReadAfterLanding = false;
    this.counter.decide = async (_n, req): Promise<ProxyAction> => {
      if (req.method === "GET") {
        if (landed && this.readsPrivacyTable(req.url)) listReadAfterLanding = true;
        return "forward";
      }
      writes++;
      if (during && writes === atWrite) {
        await (done ??= during());
        landed = true;
      }
      return "forward";
    };
    const pending = this.jobs.filter((j) => !j.audited);
    try {
      await auditPrinterJobs({
        graph: (await appClients()).graph("background"),
        store: this.proxiedStore,
        privacy: this.policy(),
        runId,
        printerId: this.printerId,
        log: quiet,
      });
    } finally {
      this.counter.decide = () => "forward";
    }
    await this.checkWithheld(pending);
    for (const job of pending) job.audited = true;
    // Recorded with nothing personal (no key, someone erased): they teach the app no identifier and name no one.
    if (!this.keyPresent && this.erasedSeeds.size > 0) for (const job of pending) job.unlinkable = true;
    // Recorded under omit (a switch away mid-run never loosens them), or rewritten to it by a switch mid-run.
    const omitted = recordedUnder === "omit" || this.mode === "omit";
    if (omitted && !listReadAfterLanding) this.markUnlinkable(seedsBefore);
    // The operation still runs when the run made fewer writes than asked: then it lands after the run.
    if (during) await (done ??= during());
    if (omitted) this.markUnlinkable();
    this.writesPerAudit.push(writes);
    this.landedInRun.push(listReadAfterLanding);
  }

  /** Without the key while anyone is erased, a run records nothing personal: no user column, no document name. */
  private async checkWithheld(recorded: WorldJob[]): Promise<void> {
    if (this.keyPresent || this.erasedSeeds.size === 0 || recorded.length === 0) return;
    const numbers = new Set(recorded.map((j) => String(j.n)));
    for (const table of [this.store.tables.jobs, this.store.tables.current]) {
      for (const row of await this.store.rowsWhere(table, "PartitionKey ne ''")) {
        if (!numbers.has(String(row.JobId ?? ""))) continue;
        const kept = ["CreatedBy", "CreatedById", "CreatedByName", "DocumentNames"].filter(
          (c) => row[c] !== undefined && row[c] !== "erased",
        );
        if (kept.length > 0)
          this.failures.push(`${table} job ${String(row.JobId)}, recorded without the key, keeps ${kept.join(", ")}`);
      }
    }
  }

  /**
   * Erasure work learned while the key was there (an earlier id-only job of a person erased by UPN) is the timer
   * pass's, and the pass needs the key to read the list: when the key is missing at the end, the operator restores
   * it and the timer's next pass runs. (What was recorded while it was missing is checked after each such run.)
   */
  async restoreKeyForTheCheck(): Promise<void> {
    if (this.keyPresent) return;
    this.keyPresent = true;
    await this.timerPass();
  }

  /** Whether a request of the run reads the privacy table (the erasure list and its version). */
  private readsPrivacyTable(url: string | undefined): boolean {
    const path = decodeURIComponent(url ?? "").split("?")[0]!;
    return path.endsWith(`/${this.store.tables.privacy}()`) || path.includes(`/${this.store.tables.privacy}(`);
  }

  /** The identifier the officer types: the UPN in some letter case, the object id, or the pseudonym the API shows. */
  private identifierOf(person: number, by: EraseBy): string | undefined {
    const p = people[person]!;
    if (by === "upn") return p.upn;
    if (by === "mixedCaseUpn")
      return p.upn.replace(/(^|\.)(\w)/g, (_m, dot: string, c: string) => dot + c.toUpperCase());
    if (by === "id") return p.id;
    return this.keyPresent ? pseudonym(p.upn, pseudonymKey(this.key)) : undefined;
  }

  private async erase(person: number, by: EraseBy): Promise<void> {
    const policy = this.policy();
    const identifier = this.identifierOf(person, by);
    // Without the key the route refuses the erasure (503 pseudonymKeyUnavailable): nothing was asked.
    if (!policy.key || !identifier) return;
    const p = people[person]!;
    this.erasedSeeds.add(by === "id" ? p.id : p.upn);
    try {
      await eraseUser(this.store, { ...policy, key: policy.key }, identifier, {
        requestedBy: "property test",
        deadline: Date.now() + 60_000,
      });
    } catch (error) {
      this.failures.push(
        `erasure of person ${person} by ${by} threw ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
  }

  private async eraseTwice(person: number, by: EraseBy): Promise<void> {
    const policy = this.policy();
    const identifier = this.identifierOf(person, by);
    if (!policy.key || !identifier) return;
    const p = people[person]!;
    this.erasedSeeds.add(by === "id" ? p.id : p.upn);
    const options = { requestedBy: "property test", deadline: Date.now() + 60_000 };
    const answers = await Promise.allSettled([
      eraseUser(this.store, { ...policy, key: policy.key }, identifier, options),
      eraseUser(this.store, { ...policy, key: policy.key }, identifier, options),
    ]);
    for (const a of answers)
      if (a.status === "rejected")
        this.failures.push(`a parallel erasure threw ${(a.reason as Error).name}: ${(a.reason as Error).message}`);
    const ids = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value.erasureId] : []));
    if (ids.length === 2 && ids[0] !== ids[1])
      this.failures.push("two parallel erasures of one person are two erasures");
  }

  private async redact(mode: RedactUsers, omitDocumentNames: boolean): Promise<void> {
    this.mode = mode === "hash" && !this.keyPresent ? "omit" : mode;
    this.omitDocumentNames = omitDocumentNames;
    if (this.mode === "omit") this.markUnlinkable();
    await runRedaction(this.store, this.policy(), { log: quiet });
  }

  /** Jobs recorded without user columns while none of their identifiers was erased: nothing ties them to the person. */
  private markUnlinkable(seeds: ReadonlySet<string> = this.erasedSeeds): void {
    const erased = this.closure(seeds);
    for (const job of this.jobs) {
      if (!job.audited || job.unlinkable) continue;
      const c = createdByOf(people[job.person]!, job.variant);
      if (![c.id, c.userPrincipalName].some((v) => v && erased.has(v.toLowerCase()))) job.unlinkable = true;
    }
  }

  /** The timer's next pass, as it runs after every audit. */
  async timerPass(): Promise<void> {
    await runRedaction(this.store, this.policy(), { log: quiet });
  }

  /** The erased identifiers as the app could know them: the seeds and every identifier seen with one in an audited job. */
  private closure(seeds: ReadonlySet<string> = this.erasedSeeds): Set<string> {
    const known = new Set([...seeds].map((s) => s.toLowerCase()));
    let grew = true;
    while (grew) {
      grew = false;
      for (const job of this.jobs.filter((j) => j.audited && !j.unlinkable)) {
        const c = createdByOf(people[job.person]!, job.variant);
        const ids = [c.id, c.userPrincipalName].filter((v): v is string => !!v).map((v) => v.toLowerCase());
        if (ids.some((v) => known.has(v)) && ids.some((v) => !known.has(v))) {
          ids.forEach((v) => known.add(v));
          grew = true;
        }
      }
    }
    return known;
  }

  /** Every erased person's identifier, name, document or findable pseudonym left in any table (the erasure list itself aside). */
  async violations(): Promise<string[]> {
    const closure = this.closure();
    const forbidden = new Map<string, string>();
    for (const v of closure) forbidden.set(v, `identifier ${v}`);
    const key = pseudonymKey(this.key);
    for (const v of closure) forbidden.set(pseudonym(v, key), `the pseudonym of ${v}`);
    for (const job of this.jobs.filter((j) => j.audited && !j.unlinkable)) {
      const c = createdByOf(people[job.person]!, job.variant);
      const linked = [c.id, c.userPrincipalName].some((v) => v && closure.has(v.toLowerCase()));
      if (linked && c.displayName)
        forbidden.set(`payslip ${job.n} ${c.displayName}`.toLowerCase(), `the document of job ${job.n}`);
    }
    for (const person of people) {
      const named = this.jobs.filter(
        (j) => j.audited && !j.unlinkable && createdByOf(person, j.variant).displayName && people[j.person] === person,
      );
      const allLinked =
        named.length > 0 &&
        named.every((j) => {
          const c = createdByOf(person, j.variant);
          return [c.id, c.userPrincipalName].some((v) => v && closure.has(v.toLowerCase()));
        });
      if (allLinked) forbidden.set(person.name.toLowerCase(), `the name ${person.name}`);
    }
    const found: string[] = [];
    const unlinkable = new Set(this.jobs.filter((j) => j.unlinkable).map((j) => String(j.n)));
    for (const [table, rows] of await this.tableRows()) {
      for (const row of rows) {
        if (table === this.store.tables.privacy && ["erased", "erasure", "erasing"].includes(String(row.partitionKey)))
          continue;
        const text = JSON.stringify(row).toLowerCase();
        const ofUnlinkable = unlinkable.has(String(row.JobId ?? ""));
        for (const [needle, what] of forbidden) {
          if (ofUnlinkable && !what.startsWith("identifier") && !what.startsWith("the pseudonym")) continue;
          if (text.includes(needle))
            found.push(`${table} ${String(row.partitionKey)}/${String(row.rowKey)} holds ${what}`);
        }
      }
    }
    return found;
  }

  /** Jobs audited whose history rows are gone (erasure keeps every job's facts). */
  async lostJobs(): Promise<number[]> {
    const rows = await this.store.rowsWhere(this.store.tables.jobs, "PartitionKey ne ''");
    const kept = new Set(rows.map((r) => String(r.JobId)));
    return this.jobs.filter((j) => j.audited && !kept.has(String(j.n))).map((j) => j.n);
  }

  /** Erasure records still running after the timer's pass. */
  async runningErasures(): Promise<number> {
    const rows = await this.store.rowsWhere(this.store.tables.privacy, "PartitionKey eq 'erasure'");
    return rows.filter((r) => r.Status !== "completed").length;
  }

  private async tableRows(): Promise<[string, Record<string, unknown>[]][]> {
    const service = TableServiceClient.fromConnectionString(this.rig.azurite!.connectionString, {
      allowInsecureConnection: true,
    });
    const out: [string, Record<string, unknown>[]][] = [];
    for await (const t of service.listTables()) {
      if (!t.name?.startsWith(this.prefix)) continue;
      out.push([t.name, await this.store.rowsWhere(t.name, "PartitionKey ne ''")]);
    }
    return out;
  }
}

function noCredential(): never {
  throw new Error("no credential in tests");
}

let worlds = 0;

/**
 * Runs the operations in a fresh world (its own printer and tables), then the timer's pass, and checks every table.
 * Returns, per audit run, whether its operation landed before the run read the erasure list again.
 */
export async function holdsFor(rig: Rig, ops: Op[], tag: string): Promise<boolean[]> {
  const n = ++worlds;
  const printerId = `e7a5${tag}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  const w = await new ErasureWorld(rig, printerId, `er${tag}${n}`).start();
  try {
    for (const op of ops) await w.apply(op);
    await w.timerPass();
    await w.restoreKeyForTheCheck();
    assert.deepEqual(w.failures, [], "the operations themselves");
    assert.deepEqual(await w.violations(), [], "an erased person left in some table");
    assert.deepEqual(await w.lostJobs(), [], "jobs whose facts were lost");
    assert.equal(await w.runningErasures(), 0, "erasures left running");
    return w.landedInRun;
  } finally {
    await w.stop();
  }
}
